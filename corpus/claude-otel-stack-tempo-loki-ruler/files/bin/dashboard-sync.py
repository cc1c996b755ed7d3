# Stand-in for the repo's sync script (not re-typed): it POSTs each dashboards/*.json to
# /api/dashboards/db as {"dashboard": <file>, "overwrite": true} and writes UI edits back to the file.
