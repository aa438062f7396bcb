-- The relay deletes outbox rows once the bus has confirmed them, instead of stamping
-- published_at and deleting the row a day later (docs/events.md). The stamp wrote a second row
-- version and two index entries per event, and the day's worth of published rows (about 170
-- million at 1,000 orders/s) outgrew a clean-up that deleted 10,000 rows every 5 minutes. The
-- bus keeps the events for its own retention; the outbox only carries them there.
-- Rows a previous relay stamped are done with.
DELETE FROM outbox WHERE published_at IS NOT NULL;
DROP INDEX outbox_published_at;
