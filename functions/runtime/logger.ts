import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger; log ids (surveyId, responseId), never email addresses or comments. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'feedback' });
