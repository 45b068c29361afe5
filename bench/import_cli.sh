#!/bin/sh
# Time `manage.py import_assets FILE` end to end (start-up included) on a fresh database.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME bench/import_cli.sh FILE [ROOT]
#
# Drops and creates database NAME, migrates it (the migrations load the district boundaries),
# then runs the import under `time`. ROOT is the checkout to run (default: this one), so the
# same script times another worktree. Make FILE with bench/import_files.py.
set -eu
file=$1
root=${2:-$(cd "$(dirname "$0")/.." && pwd)}
name=${DATABASE_URL##*/}
admin=${DATABASE_URL%/*}/postgres
psql "$admin" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
cd "$root"
.venv/bin/python manage.py migrate -v0
/usr/bin/time -f "%e s wall, %U s user, %M KiB max" \
    .venv/bin/python manage.py import_assets "$file" > /tmp/import_cli_report.json
tail -c 200 /tmp/import_cli_report.json | tr -d '\n '; echo
