// Messages sent (function `notification`).
import { defineEvent, timestampSchema } from '@shop/shared';
import { z } from 'zod';

export const notificationSent = defineEvent({
  type: 'shop.notification.sent',
  description:
    'A mail, SMS or push message left through the provider; cause names the event it answers.',
  producer: 'notification',
  consumers: ['audit'],
  partitionKey: 'notificationId',
  schema: z
    .object({
      notificationId: z.uuid(),
      channel: z.enum(['email', 'sms', 'push']),
      template: z.string().min(1),
      recipientUserId: z.uuid().nullable(),
      cause: z.object({ type: z.string(), source: z.string(), id: z.string() }).strict().nullable(),
      sentAt: timestampSchema,
    })
    .strict(),
});
