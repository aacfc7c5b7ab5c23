@echo off
REM Windows Task Scheduler: one cycle every 15 minutes.
REM   schtasks /Create /TN "fabric-sync" /SC MINUTE /MO 15 /RU SYSTEM ^
REM     /TR "C:\fabric-sync\task-scheduler.cmd"
REM Settings (FABRIC_*, SNOWFLAKE_*) live in C:\fabric-sync\.env; the exit code is 0, 1 (a model failed),
REM 2 (configuration, or another run holds the state file) or 3 (authentication / permission).
cd /d C:\fabric-sync
call npx --yes fabric-sync --env-file C:\fabric-sync\.env monitor --once --quiet >> C:\fabric-sync\fabric-sync.log 2>&1
exit /b %ERRORLEVEL%
