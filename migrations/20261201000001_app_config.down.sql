-- Preferences go back to their defaults.
drop table app_config;
