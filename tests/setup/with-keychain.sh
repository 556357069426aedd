#!/usr/bin/env bash
# Runs a command with a real, unlocked OS keychain (gnome-keyring's Secret Service on a private D-Bus
# session), which keytar needs. If a keychain session already exists, runs the command as it is.
set -euo pipefail
if [ -n "${CM_KEYCHAIN_READY:-}" ]; then exec "$@"; fi
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "with-keychain: dbus-run-session and gnome-keyring-daemon are required (apt-get install dbus gnome-keyring)" >&2
  exit 1
fi
XDG_DATA_HOME=$(mktemp -d)
export XDG_DATA_HOME CM_KEYCHAIN_READY=1
# The keyring password only protects this throwaway test keyring.
exec dbus-run-session -- bash -c 'echo -n test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' with-keychain "$@" </dev/null
