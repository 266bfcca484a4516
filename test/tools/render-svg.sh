#!/bin/sh
# Render an SVG (e.g. from `rnn plot`) to PNG with headless Chromium, to look at it:
#   test/tools/render-svg.sh runs/names/loss.svg /tmp/loss.png
# Needs Debian's chromium (apt-get install chromium).
set -eu
svg=$(realpath "$1"); png=${2:-${1%.svg}.png}
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=800,440 \
  --screenshot="$png" "file://$svg" 2>/dev/null
echo "$png"
