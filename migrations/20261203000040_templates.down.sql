-- Back to preferences: each memory type's default template goes back to
-- the key it came from, then the tables go.
insert or replace into app_config (key, value, description, updated_at)
select case type
           when 'summary_instruction' then 'memory.summary_instruction'
           when 'memory_documents' then 'memory.template.documents'
           when 'memory_summaries' then 'memory.template.summaries'
           else 'memory.template.recall'
       end,
       json_quote(content), '', updated_at
  from templates
 where is_default = 1 and deleted_at is null
   and type in ('summary_instruction', 'memory_documents', 'memory_summaries', 'memory_recall');

drop table quick_replies;
drop table templates;
