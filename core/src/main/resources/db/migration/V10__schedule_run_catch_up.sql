-- A run made by a misfire catch-up (a schedule with misfire fireOnce, for the latest slot it
-- missed while no scheduler ran) rather than on its slot's time. Operators see it on the
-- schedule's last run; the scheduler's tests tell a catch-up from an on-time fire by it.
ALTER TABLE schedule_run ADD COLUMN catch_up boolean NOT NULL DEFAULT false;

-- A run made by hand (POST /api/schedules/{id}/trigger): named by its own time, never a whole
-- second, so it never takes a cron slot; the slot arithmetic (the last slot, the missed ones)
-- leaves it out.
ALTER TABLE schedule_run ADD COLUMN manual boolean NOT NULL DEFAULT false;
