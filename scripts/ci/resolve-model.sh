#!/usr/bin/env bash
# Resolves which model a workflow should use to a commit, through the model registry (git tags in
# GTO's format), and writes it to $GITHUB_OUTPUT as commit, version, stage, ref and how.
# Usage, from the project folder of a checkout with the tags (fetch-depth: 0):
#   resolve-model.sh [MODEL]
# MODEL is one of:
#   NAME#STAGE, NAME@latest, NAME@vX.Y.Z   a registry shortcut (`mlpipe models which`)
#   #STAGE, @latest, @vX.Y.Z               the same for the artifact $ARTIFACT
#   a registry tag (NAME#prod#3, NAME@v1.0.0, or refs/tags/...)   the version (and stage) it records
#   any other git ref (branch, tag, commit)  that commit, no version
#   empty                                   the version in $STAGE (prod), else the latest
#                                           registered version, else $FALLBACK (main)
# Environment: ARTIFACT (the artifact name), STAGE (default prod), FALLBACK (default main).
set -euo pipefail

: "${ARTIFACT:?ARTIFACT is not set}"
model="${1:-}"
stage="${STAGE:-prod}"
fallback="${FALLBACK:-main}"
out="${GITHUB_OUTPUT:-/dev/stdout}"

# The named field of a JSON object on stdin ('' when null or absent).
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(v==null?"":String(v))})' "$1"; }

case "$model" in
  '#'* | '@'*) model="$ARTIFACT$model" ;;
esac

used_stage=""
if [ -n "$model" ]; then
  # A registry tag names an event: deploy exactly the version it records (GitOps), in its stage.
  event="$(mlpipe --json models check-ref "$model")"
  if [ "$event" != null ] && [ -n "$(field version <<<"$event")" ]; then
    used_stage="$(field stage <<<"$event")"
    model="$(field artifact <<<"$event")@$(field version <<<"$event")"
  fi
  case "$model" in
    *'#'*) used_stage="${model##*#}" ;;
  esac
  # actions/checkout makes a local branch only for the one it checks out: other branches are
  # origin/NAME.
  which="$(mlpipe --json models which "$model" 2>/dev/null || mlpipe --json models which "origin/$model")"
else
  which="$(mlpipe --json models which --name "$ARTIFACT" --stage "$stage" --fallback "$fallback")"
  if [ "$(field how <<<"$which")" = stage ]; then used_stage="$stage"; fi
fi

{
  echo "commit=$(field commit <<<"$which")"
  echo "version=$(field version <<<"$which")"
  echo "stage=$used_stage"
  echo "ref=$(field ref <<<"$which")"
  echo "how=$(field how <<<"$which")"
} >> "$out"
