import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { oneLine } from '#core/emails.ts';
import type { SendTeamMessage } from '#core/alerts/notices.ts';
import type { DetractorNotice, NotifyTeam } from '#core/mail/ports.ts';

export function noticeText(n: DetractorNotice): { subject: string; body: string } {
  return {
    subject: oneLine(`Detractor follow-up sent: ${n.customerId} rated us ${n.score}/10`),
    body: [
      `A follow-up email (${n.campaignId}, ${n.runDate}) went to a customer who rated us ${n.score} out of 10.`,
      '',
      `Customer: ${n.customerId}${n.name ? ` (${n.name})` : ''}`,
      `Email: ${n.email}`,
      `Comment: ${n.comment ?? '(none)'}`,
      '',
      'Replies to the follow-up reach the reply-to address; please get in touch personally.',
    ].join('\n'),
  };
}

/** An SNS subject: printable ASCII only, no line breaks, fewer than 100 characters (SNS refuses anything else). */
export const snsSubject = (subject: string): string => {
  const ascii = subject.replace(/[^\x20-\x7e]/g, '?').trim();
  return ascii.length < 100 ? ascii : `${ascii.slice(0, 96)}...`;
};

/** Deployed: an SNS topic the team's address is subscribed to. */
export const snsTeamMessage =
  (client: SNSClient, topicArn: string): SendTeamMessage =>
  async ({ subject, body }) => {
    await client.send(new PublishCommand({ TopicArn: topicArn, Subject: snsSubject(subject), Message: body }));
  };

/** Local: an email to the team address through the local SES, so it shows in its inbox. */
export const emailTeamMessage =
  (client: SESv2Client, from: string, teamAddress: string): SendTeamMessage =>
  async ({ subject, body }) => {
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [teamAddress] },
        Content: { Simple: { Subject: { Data: subject, Charset: 'UTF-8' }, Body: { Text: { Data: body, Charset: 'UTF-8' } } } },
      }),
    );
  };

/** Deployed: an SNS topic the team's address is subscribed to. */
export const snsTeamNotifier = (client: SNSClient, topicArn: string): NotifyTeam => {
  const send = snsTeamMessage(client, topicArn);
  return (notice) => send(noticeText(notice));
};

/** Local: an email to the team address through the local SES, so it shows in its inbox. */
export const emailTeamNotifier = (client: SESv2Client, from: string, teamAddress: string): NotifyTeam => {
  const send = emailTeamMessage(client, from, teamAddress);
  return (notice) => send(noticeText(notice));
};

/**
 * How this deployment tells the team: the team topic when the stack made one (TEAM_TOPIC_ARN), else an email to
 * `teamAddress` (the local stack), else nobody (undefined: the caller logs instead).
 */
export function teamMessenger(
  settings: { teamTopicArn?: string; teamAddress?: string; sender?: string },
  clients: { sns: () => SNSClient; ses: () => SESv2Client },
): SendTeamMessage | undefined {
  if (settings.teamTopicArn) return snsTeamMessage(clients.sns(), settings.teamTopicArn);
  if (settings.teamAddress && settings.sender) return emailTeamMessage(clients.ses(), settings.sender, settings.teamAddress);
  return undefined;
}
