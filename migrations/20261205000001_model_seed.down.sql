alter table ai_models drop column seed;
