#!/usr/bin/env bash
# Makes the base image `debian:bookworm-slim` available to `docker build`.
#
# Where a registry can be reached the image is pulled as usual. Where it cannot (an air-gapped
# hospital network, a CI machine without registry access), it is built from Debian's own
# packages with debootstrap and imported under the same tag, so the Dockerfile builds the same
# way on both. Needs root and a reachable Debian mirror (DEBIAN_MIRROR); installs debootstrap
# from Debian's packages where it is missing.
set -euo pipefail

TAG=${BASE_IMAGE:-debian:bookworm-slim}
SUITE=${DEBIAN_SUITE:-bookworm}

if docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "==> $TAG is already here"
  exit 0
fi
if [ "${BASE_IMAGE_PULL:-1}" = 1 ] && timeout 60 docker pull "$TAG" >/dev/null 2>&1; then
  echo "==> $TAG pulled"
  exit 0
fi

mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  # The machine's own apt source (deb822 or one-line format), else Debian's redirector.
  mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?' /etc/apt/sources.list.d/* /etc/apt/sources.list 2>/dev/null \
    | head -n 1 | awk '{print $2}' || true)
  mirror=${mirror:-http://deb.debian.org/debian}
fi
if ! command -v debootstrap >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> Installing Debian's debootstrap"
    apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
  else
    echo "debootstrap is missing: apt-get install -y debootstrap (as root)" >&2
    exit 1
  fi
fi

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
echo "==> Building $TAG from $mirror ($SUITE, minbase) with debootstrap"
started=$(date +%s)
debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >/dev/null
# As the published slim image: no package lists, documentation or manual pages.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
  "$rootfs"/var/cache/apt/*.bin
tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "$TAG" >/dev/null
echo "==> $TAG built in $(( $(date +%s) - started )) s: $(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')"
