#!/usr/bin/env bash
# Installs what Parley needs on a Debian/Ubuntu machine, idempotently.
#
#   scripts/install-deps.sh run    system libraries to build and run the app
#                                  (cmake and libclang build llama.cpp, the
#                                  built-in engine for models on this computer)
#   scripts/install-deps.sh test   plus Xvfb, WebKitWebDriver, tauri-driver,
#                                  ImageMagick (screenshots), CJK fonts, and Node with the
#                                  UI's type checker (npm ci) for `make lint`
#   scripts/install-deps.sh vulkan plus Vulkan's headers and shader compiler
#                                  (newer headers unpacked when the system's are too old),
#                                  for `make check-vulkan` (not in CI)
#
# Only packages that `dpkg -s` reports missing are installed, so a second run
# costs a second. Works as root or through sudo.
set -euo pipefail

mode=${1:-run}

run_pkgs=(libwebkit2gtk-4.1-dev libdbus-1-dev build-essential pkg-config curl ca-certificates cmake libclang-dev)
# fonts-noto-cjk: the Chinese, Japanese and Korean screens of the tour show
# their own letters, not boxes.
test_pkgs=(xvfb xauth webkit2gtk-driver imagemagick procps fonts-noto-cjk)

vulkan_pkgs=(libvulkan-dev glslc spirv-headers)

pkgs=("${run_pkgs[@]}")
if [ "$mode" = "vulkan" ]; then
  pkgs+=("${vulkan_pkgs[@]}")
fi
if [ "$mode" = "test" ]; then
  pkgs+=("${test_pkgs[@]}")
  # Node only from apt when there is none already (nvm, NodeSource, ...).
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    pkgs+=(nodejs npm)
  fi
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo_cmd=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "error: missing packages (${missing[*]}) and neither root nor sudo; install them and retry" >&2
    exit 1
  fi
  echo "==> installing system packages: ${missing[*]}"
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "error: cargo not found; install Rust with rustup (https://rustup.rs) and retry" >&2
    exit 1
  fi
fi

if [ "$mode" = "test" ]; then
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "==> installing tauri-driver"
    cargo install tauri-driver --version '^2' --locked
  fi
fi

if [ "$mode" = "test" ]; then
  # The UI's type checker (package-lock.json pins it); again after the lock changes.
  cd "$(dirname "$0")/.."
  if [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> installing the UI's type checker (npm ci)"
    npm ci --no-audit --no-fund
  fi
fi

if [ "$mode" = "vulkan" ]; then
  # llama.cpp's Vulkan back end uses VK_EXT_layer_settings, which Debian 12's
  # headers (1.3.239) lack. Then Debian 13's libvulkan-dev is fetched from
  # the Debian archive and unpacked (not installed) under
  # ~/.cache/parley/vulkan; `make check-vulkan` points the build at it.
  headers=/usr/include/vulkan
  newer="$HOME/.cache/parley/vulkan"
  if ! grep -qs LayerSettingEXT "$headers"/vulkan*.hpp && [ ! -f "$newer/usr/include/vulkan/vulkan.hpp" ]; then
    echo "==> the system's Vulkan headers are too old for llama.cpp; unpacking Debian 13's into $newer"
    lists=$(mktemp -d)
    mkdir -p "$lists/lists/partial" "$newer"
    echo "deb http://deb.debian.org/debian trixie main" >"$lists/sources.list"
    apt_opts=(-o "Dir::Etc::sourcelist=$lists/sources.list" -o "Dir::Etc::sourceparts=-"
      -o "Dir::State::Lists=$lists/lists" -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=$(id -un)")
    apt-get "${apt_opts[@]}" update -qq
    (cd "$lists" && apt-get "${apt_opts[@]}" download libvulkan-dev)
    dpkg-deb -x "$lists"/libvulkan-dev_*.deb "$newer"
    # The loader to link against is the system's; only the headers are newer.
    mkdir -p "$newer/usr/lib"
    ln -sf "$(readlink -f /usr/lib/x86_64-linux-gnu/libvulkan.so)" "$newer/usr/lib/libvulkan.so"
    rm -rf "$lists"
  fi
fi
