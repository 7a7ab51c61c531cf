// Messages sent (function `notification`).
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

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
      template: eventText().min(1),
      recipientUserId: z.uuid().nullable(),
      cause: z
        .object({ type: eventText(), source: eventText(), id: eventText() })
        .strict()
        .nullable(),
      sentAt: eventTimestamp,
    })
    .strict(),
});
