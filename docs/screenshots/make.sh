#!/bin/sh
# Regenerate the screenshots shown in README.md and docs/gui.md: every view of the desktop app
# on the shipped example phone_housing_cell (the Training tab on a lesson), in English and in
# Simplified Chinese, rendered offscreen at 1440 x 900 by the app's own --screenshot option.
# Run from anywhere; needs the gui extra and a CJK font (Debian: fonts-noto-cjk).
set -eu
cd "$(dirname "$0")/../.."
export QT_QPA_PLATFORM=offscreen
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
export LINELAB_GUI_STATE_DIR="$state"   # no recent files or settings of the user
for lang in en zh_CN; do
  for view in editor layout charts compare; do
    python -m gui.app phone_housing_cell --lang "$lang" --view "$view" \
      --screenshot "docs/screenshots/$view-$lang.png"
    echo "docs/screenshots/$view-$lang.png"
  done
  # The Training tab: a lesson's reference solution checked (a robot cell, like the example).
  python -m gui.app scenarios/lessons/04-tending-ratio/solution.yaml --lang "$lang" \
    --view training --lesson tending-ratio --screenshot "docs/screenshots/training-$lang.png"
  echo "docs/screenshots/training-$lang.png"
done
