#!/usr/bin/env bash
# Commits the DVC metadata a training run produced (dvc.lock, metrics, .gitignore files) back to
# the branch it trained, as the github-actions bot. Usage, from the project folder:
#   commit-metadata.sh FILE...
# Environment:
#   BRANCH        the branch to update (github.ref_name)
#   MESSAGE       the commit message (keep "[skip ci]" in it: the push must not start another run)
#   MLPIPE_PUBLISH  "push" (default): push to BRANCH; when BRANCH moved meanwhile, fetch, rebase the
#                 metadata commit on it and push again (at most MLPIPE_PUSH_ATTEMPTS times, default 5).
#                 "pull-request": for a protected BRANCH, push a branch mlpipe/metadata-RUN and open
#                 a pull request with `gh` (GH_TOKEN must be set) whose body is SUMMARY_FILE.
#   SUMMARY_FILE  Markdown for the pull request body (the metrics summary), optional
set -euo pipefail

: "${BRANCH:?BRANCH is not set}"
: "${MESSAGE:?MESSAGE is not set}"
mode="${MLPIPE_PUBLISH:-push}"
attempts="${MLPIPE_PUSH_ATTEMPTS:-5}"

git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
git add -- "$@"
if git diff --cached --quiet; then
  echo "metadata unchanged: nothing to commit"
  exit 0
fi
git commit -q -m "$MESSAGE"

case "$mode" in
  pull-request)
    head="mlpipe/metadata-${GITHUB_RUN_ID:-$(date +%s)}"
    git push -q origin "HEAD:refs/heads/$head"
    body="${SUMMARY_FILE:-}"
    if [ -z "$body" ] || [ ! -s "$body" ]; then
      body="$(mktemp)"
      echo "DVC metadata from training run ${GITHUB_RUN_NUMBER:-}." > "$body"
    fi
    gh pr create --base "$BRANCH" --head "$head" --title "${MESSAGE%% \[skip ci\]*}" --body-file "$body"
    ;;
  push)
    for ((i = 1; ; i++)); do
      if out="$(git push -q origin "HEAD:refs/heads/$BRANCH" 2>&1)"; then
        echo "pushed the metadata to $BRANCH"
        exit 0
      fi
      echo "$out" >&2
      # Only a branch that moved is worth a retry; a refused push (protected branch, no permission) is not.
      if ! grep -qiE 'fetch first|non-fast-forward' <<<"$out"; then
        echo "::error::the push to $BRANCH was refused; if the branch is protected, set MLPIPE_PUBLISH=pull-request"
        exit 1
      fi
      if ((i >= attempts)); then
        echo "::error::could not push the metadata to $BRANCH after $attempts attempts; if the branch is protected, set MLPIPE_PUBLISH=pull-request"
        exit 1
      fi
      echo "$BRANCH moved (or the push was refused): fetching and rebasing, attempt $((i + 1)) of $attempts"
      git fetch -q origin "$BRANCH"
      if ! git rebase -q FETCH_HEAD; then
        git rebase --abort || true
        echo "::error::the metadata conflicts with new commits on $BRANCH (another training run?); the next run on $BRANCH trains again"
        exit 1
      fi
      sleep "$i"
    done
    ;;
  *)
    echo "::error::MLPIPE_PUBLISH must be push or pull-request, not $mode"
    exit 1
    ;;
esac
