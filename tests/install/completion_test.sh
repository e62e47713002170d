#!/usr/bin/env bash
# completion_test.sh COMPLETION_FILE BIN_DIR: loads the completion into this bash and asks it
# what a user's Tab would offer, with a real `shmipc parent` holding a live session.
set -u
completion=$1 bin=$2
export PATH="$bin:$PATH"
# shellcheck source=/dev/null
source "$completion"
session="completion-test-$$"
shmipc parent --session "$session" >/dev/null 2>&1 &
parent=$!
trap 'kill "$parent" 2>/dev/null; wait "$parent" 2>/dev/null; shmipc clean --session "$session" >/dev/null 2>&1' EXIT
for _ in $(seq 100); do [ -e "/dev/shm/shmscope.$session" ] && break; sleep 0.05; done

failures=0
# complete WORDS...: COMPREPLY for the last word, as bash would compute it on Tab.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _shmipc
  printf '%s\n' "${COMPREPLY[@]}"
}
expect() {  # expect "what" WANTED WORDS...
  local what=$1 wanted=$2
  shift 2
  if complete_words "$@" | grep -qxF -- "$wanted"; then
    echo "ok: $what offers $wanted"
  else
    echo "FAIL: $what does not offer $wanted; it offers: $(complete_words "$@" | tr '\n' ' ')"
    failures=$((failures + 1))
  fi
}
expect_not() {
  local what=$1 unwanted=$2
  shift 2
  if complete_words "$@" | grep -qxF -- "$unwanted"; then
    echo "FAIL: $what offers $unwanted"
    failures=$((failures + 1))
  else
    echo "ok: $what does not offer $unwanted"
  fi
}
expect "a command" parent shmipc ""
expect "a command by prefix" scenario shmipc sc
expect_not "a command by prefix" parent shmipc sc
expect "child's options" --timeout shmipc child --
expect "bench's options" --placements shmipc bench --
expect "soak's options" --kill-every shmipc soak --
expect "a command by prefix" soak shmipc so
expect_not "parent's options" --timeout shmipc parent --
expect "a live session name" "$session" shmipc status --session completion-test
expect "a scenario name" child-killed-holding-mutex shmipc scenario child-k
expect "inspect's options" --emit-layout shmipc inspect --
expect "metrics' options" --listen shmipc metrics --
expect_not "metrics' options" --session shmipc metrics --
expect "a /dev/shm object for inspect" "shmscope.$session" shmipc inspect shmscope.completion-test
recording="/tmp/completion-test-$$.shmrec"
: > "$recording"
expect "a command by prefix" record shmipc rec
expect "record's options" --full-every shmipc record --
expect "scenario's options" --record shmipc scenario 2 --
expect "a recording after status --at" "$recording" shmipc status --at 1 "${recording%.shmrec}"
expect "a recording for export" "$recording" shmipc export "${recording%.shmrec}"
rm -f "$recording"
[ "$failures" -eq 0 ]
