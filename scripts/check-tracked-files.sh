#!/usr/bin/env bash
# Fails when a file in the git index is over 1 MB or is an executable binary
# (ELF, PE or Mach-O, or a file with the executable bit that holds NUL bytes):
# build outputs belong in .gitignore, not in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

bad=()
while read -r mode blob _ path; do
  size="$(git cat-file -s "$blob")"
  magic="$({ git cat-file blob "$blob" || true; } | head -c 4 | od -An -tx1 | tr -d ' \n')"
  if [ "$size" -gt 1048576 ]; then
    bad+=("$path ($size bytes, over 1 MB)")
  elif [[ $magic =~ ^(7f454c46|4d5a|feedfac[ef]|c[ef]faedfe|cafebabe) ]]; then
    bad+=("$path (an ELF, PE or Mach-O executable)")
  elif [ "$mode" = 100755 ] && [ "$(git cat-file blob "$blob" | tr -d '\0' | wc -c)" -ne "$size" ]; then
    bad+=("$path (executable and binary)")
  fi
done < <(git ls-files -s)

[ ${#bad[@]} -eq 0 ] || { printf 'tracked file that should not be in git: %s\n' "${bad[@]}" >&2; exit 1; }
echo "no binaries or files over 1 MB in git"
