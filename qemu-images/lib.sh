# Shared helpers for the qemu-images scripts (sourced, not executed).
# shellcheck shell=bash
G4J_SRC_PKG=linux-source-6.12
G4J_SRC_VERSION=6.12.117-1~deb12u1
G4J_SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
G4J_CACHE=${GADGET4J_CACHE:-$HOME/.cache/gadget4j}
G4J_JOBS=${GADGET4J_JOBS:-3}
G4J_QI=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
G4J_ROOT=$(cd "$G4J_QI/.." && pwd)

g4j_die() { echo "$(basename "$0"): $*" >&2; exit 1; }
g4j_log() { echo "$(basename "$0"): $*" >&2; }

# The Debian packages of PKG[=VERSION]... that are not installed, one per line.
g4j_missing_pkgs() {
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "${p%%=*}" 2>/dev/null | grep -q 'install ok installed'; then
            echo "$p"
        fi
    done
}

# g4j_need_pkgs PKG[=VERSION]... : installs missing Debian packages as root, else fails clearly.
# Scripts that run side by side (the VM tier boots two kernels at once) take turns: one installs,
# the others wait for it and then find the packages there. apt-get itself waits for dpkg's lock
# when another program holds it.
g4j_need_pkgs() {
    [ "$(uname -s)" = Linux ] || g4j_die "needs Linux (found $(uname -s))"
    local missing lock
    mapfile -t missing < <(g4j_missing_pkgs "$@")
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || g4j_die "missing packages ${missing[*]} and no apt-get (Debian 12 expected)"
    [ "$(id -u)" = 0 ] || g4j_die "missing Debian packages ${missing[*]}: run as root or install them"
    mkdir -p "$G4J_CACHE"
    exec {lock}>"$G4J_CACHE/.apt-lock"
    flock "$lock"
    mapfile -t missing < <(g4j_missing_pkgs "$@")
    if [ ${#missing[@]} -gt 0 ]; then
        g4j_log "installing Debian packages: ${missing[*]}"
        local apt=(apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends)
        if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" "${missing[@]}" >&2; then
            apt-get -o DPkg::Lock::Timeout=600 update -q >&2 || true
            DEBIAN_FRONTEND=noninteractive "${apt[@]}" "${missing[@]}" >&2 || g4j_die "apt-get install ${missing[*]} failed"
        fi
    fi
    exec {lock}>&-
}

# Kernel source package: pinned version, clear error on another one.
g4j_need_source() {
    local v
    v=$(dpkg-query -W -f='${Version}' "$G4J_SRC_PKG" 2>/dev/null || true)
    if [ -z "$v" ]; then
        g4j_need_pkgs "$G4J_SRC_PKG=$G4J_SRC_VERSION"
        v=$(dpkg-query -W -f='${Version}' "$G4J_SRC_PKG")
    fi
    [ "$v" = "$G4J_SRC_VERSION" ] || g4j_die "$G4J_SRC_PKG $v is installed but the patches were made for $G4J_SRC_VERSION"
    [ -f "$G4J_SRC_TARBALL" ] || g4j_die "$G4J_SRC_TARBALL is missing although $G4J_SRC_PKG is installed"
}

# g4j_extract DIR : unpacks the kernel source tree into DIR (must not exist).
g4j_extract() {
    mkdir -p "$1"
    tar -xJf "$G4J_SRC_TARBALL" -C "$1" --strip-components=1
}

# g4j_hash FILE|STRING... : short hash of the source version and of each argument: a file's
# content, or the argument itself when it is not a file (e.g. another hash).
g4j_hash() {
    local f
    {
        echo "$G4J_SRC_VERSION"
        for f in "$@"; do
            # Names relative to the checkout: a clone elsewhere must hit the same cache entries.
            if [ -f "$f" ]; then echo "== ${f#"$G4J_ROOT"/}"; cat "$f"; else echo "== string $f"; fi
        done
    } | sha256sum | cut -c1-16
}

# g4j_tmpdir NAME : a fresh build directory next to the cache (same filesystem for rename).
g4j_tmpdir() {
    mkdir -p "$G4J_CACHE"
    mktemp -d "$G4J_CACHE/.tmp-$1.XXXXXX"
}

# g4j_publish TMPDIR DEST : renames a finished TMPDIR (with .complete) into place; if a
# concurrent run published DEST first, keeps that one.
g4j_publish() {
    if ! mv -T "$1" "$2" 2>/dev/null; then
        if [ -f "$2/.complete" ]; then
            rm -rf "$1"
        else
            rm -rf "$2"
            mv -T "$1" "$2"
        fi
    fi
}

# g4j_ticks STAT: "user system" CPU ticks from /proc/PID/stat or /proc/PID/task/TID/stat (nothing
# when it is gone). The comm field may hold spaces ("C2 CompilerThre"), so fields are counted
# after its closing parenthesis.
g4j_ticks() { awk '{ r = $0; sub(/.*\) /, "", r); split(r, f, " "); print f[12], f[13] }' "$1" 2>/dev/null || true; }

# g4j_jit_ticks PID: the CPU ticks (user and system) of a JVM's JIT compiler threads. With 1 or 2
# CPUs the JVM runs one C1 and one C2 thread, which never exit (only extra dynamic compiler
# threads do), so the sum only grows.
g4j_jit_ticks() {
    local t s=0 u k c
    for t in /proc/"$1"/task/*; do
        # read, not cat: a JVM has dozens of threads, and a fork each would cost the guest
        # milliseconds (the benchmark times rows in which this runs)
        read -r c 2>/dev/null <"$t/comm" || continue
        case $c in
            "C1 CompilerThre"* | "C2 CompilerThre"*)
                read -r u k <<<"$(g4j_ticks "$t/stat")"
                s=$((s + ${u:-0} + ${k:-0}))
                ;;
        esac
    done
    echo "$s"
}

# g4j_sourcesink [--bound] [--bus N]: whether the host has enumerated the source/sink gadget
# (0525:a4a4); if so, sets g4j_dev (its usbfs node, /dev/bus/usb/BBB/DDD), g4j_dev_speed (Mb/s) and
# g4j_dev_dir (sysfs). --bound: only once a driver (usbtest) has bound its interface; --bus N: only
# the one on dummy_hcd.N's bus (the host side of dummy_udc.N). Shell builtins only (no process
# started: on a debug kernel under TCG each costs a large part of a second, except for --bus),
# and a device that goes away meanwhile is skipped quietly.
g4j_sourcesink() {
    local bound=0 bus="" d v p b n s
    while [ $# -gt 0 ]; do
        case $1 in
            --bound) bound=1 ;;
            --bus) bus=$2; shift ;;
            *) g4j_die "g4j_sourcesink: unknown option $1" ;;
        esac
        shift
    done
    for d in /sys/bus/usb/devices/*; do
        [ -f "$d/idVendor" ] || continue
        { read -r v <"$d/idVendor" && read -r p <"$d/idProduct"; } 2>/dev/null || continue
        [ "$v" = 0525 ] && [ "$p" = a4a4 ] || continue
        [ "$bound" = 0 ] || [ -e "$d/${d##*/}:1.0/driver" ] || continue
        [ -z "$bus" ] || [[ $(readlink -f "$d") == */dummy_hcd."$bus"/* ]] || continue
        { read -r b <"$d/busnum" && read -r n <"$d/devnum" && read -r s <"$d/speed"; } 2>/dev/null || continue
        printf -v g4j_dev '/dev/bus/usb/%03d/%03d' "$b" "$n"
        g4j_dev_speed=$s g4j_dev_dir=$d
        return 0
    done
    return 1
}
