#!/bin/sh
# build-aux/check-potfiles.sh SRCDIR — every file with translatable strings
# is listed in po/POTFILES.in, and every listed file exists.
set -eu
top="${1:-.}"
cd "$top"
status=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')

for f in $listed; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES.in lists $f, which does not exist" >&2
    status=1
  fi
done

found=$( (grep -rlE '\b(N_|_|C_|NC_)\s*\(\s*"' src --include='*.c' || true;
          grep -rl 'translatable="yes"' ui data --include='*.ui' --include='*.xml' --include='*.in' || true;
          ls data/*.desktop.in* data/*.metainfo.xml.in* data/*.gschema.xml 2>/dev/null || true) | sort -u)

for f in $found; do
  if ! printf '%s\n' "$listed" | grep -qx "$f"; then
    echo "$f has translatable strings but is not in po/POTFILES.in" >&2
    status=1
  fi
done

exit $status
