import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SNSEvent } from 'aws-lambda';
import { suppressionOf } from '#core/email-events.ts';
import { suppressCustomer } from '#data/mail-ledger.ts';
import { logger } from '#runtime/logger.ts';
import { emitMetric } from '#runtime/metrics.ts';
import { tableFromEnv } from '#runtime/wiring.ts';

const db = tableFromEnv();

/**
 * SES bounce and complaint events (configuration set → SNS → here) suppress the address, and so every customer
 * who has it. Records in order; a failure throws so SNS retries the delivery, and suppressing twice changes nothing.
 */
async function recordEmailEvents(event: SNSEvent): Promise<void> {
  for (const record of event.Records) {
    const suppression = suppressionOf(record.Sns.Message);
    if (!suppression) continue;
    const now = new Date().toISOString();
    const found = await suppressCustomer(db, suppression.customerId, suppression.reason, now, suppression.address);
    logger.info('CustomerSuppressed', {
      customerId: suppression.customerId,
      reason: suppression.reason,
      messageId: suppression.messageId,
      found,
    });
    emitMetric(suppression.reason === 'bounce' ? 'EmailBounced' : 'EmailComplained');
  }
}

export const handler = middy<SNSEvent, void, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(recordEmailEvents);
