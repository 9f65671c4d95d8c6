-- Why the scheduler could not put a schedule on (a cron Quartz refuses, a time zone it cannot
-- place), shown on that schedule; null while it runs. One bad schedule no longer stops the others.
ALTER TABLE schedule ADD COLUMN error text;
