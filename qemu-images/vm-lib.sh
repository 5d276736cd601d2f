# shellcheck shell=bash
# Helpers for building and running the test VM (sourced after lib.sh).

# g4j_use_kernel VERSION : selects the pinned source package of the VM kernel: 6.12 (the
# default, set in lib.sh) or 6.1, Debian's kernel with a FunctionFS that has no DMABUF interface
# (added in Linux 6.9), which stands for the vendor kernels boards ship.
g4j_use_kernel() {
	case $1 in
	6.12) G4J_SRC_PKG=linux-source-6.12 G4J_SRC_VERSION=6.12.117-1~deb12u1 ;;
	6.1) G4J_SRC_PKG=linux-source-6.1 G4J_SRC_VERSION=6.1.192-3 ;;
	*) g4j_die "unknown kernel $1 (6.12 or 6.1)" ;;
	esac
	G4J_SRC_TARBALL=/usr/src/$G4J_SRC_PKG.tar.xz
}

# Packages a kernel build needs.
g4j_build_deps() {
	g4j_need_source
	g4j_need_pkgs build-essential flex bison bc libelf-dev libssl-dev cpio rsync xz-utils \
		busybox-static
}

# g4j_patches FLAVOUR : the patch files the FLAVOUR (normal|debug|6.1) kernel applies, in order.
# debug: all of kernel-patches/series. normal: those of them config/normal.patches names, so
# that the normal kernel has FunctionFS as boards ship it (see that file). 6.1: none; the patches
# are for 6.12, and 0001 (dummy_hcd scatter-gather) only matters to the DMABUF interface, which
# 6.1 does not have.
g4j_patches() {
	local p
	[ "$1" = 6.1 ] && return 0
	while read -r p; do
		case $p in '' | '#'*) continue ;; esac
		if [ "$1" = normal ] && ! grep -qx "$p" "$G4J_QI/config/normal.patches"; then
			continue
		fi
		printf '%s\n' "$G4J_ROOT/kernel-patches/$p"
	done <"$G4J_ROOT/kernel-patches/series"
}

# g4j_src_key FLAVOUR : key of the patched source: version and every patch applied.
g4j_src_key() {
	local files
	mapfile -t files < <(g4j_patches "$1")
	g4j_hash "string patches" "${files[@]}"
}

# g4j_patched_src FLAVOUR : prints the path of the pinned source tree with the FLAVOUR's
# patches applied (cached).
g4j_patched_src() {
	local dir tmp p
	dir=$G4J_CACHE/src-$(g4j_src_key "$1")
	if [ ! -f "$dir/.complete" ]; then
		g4j_need_source
		tmp=$(g4j_tmpdir src)
		g4j_log "extracting $G4J_SRC_TARBALL and applying the $1 kernel's patches"
		g4j_extract "$tmp/linux"
		while read -r p; do
			if ! patch -d "$tmp/linux" -p1 --batch --forward -s <"$p" >"$tmp/patch.log" 2>&1; then
				cat "$tmp/patch.log" >&2
				rm -rf "$tmp"
				g4j_die "${p#"$G4J_ROOT"/} does not apply to $G4J_SRC_PKG $G4J_SRC_VERSION"
			fi
		done < <(g4j_patches "$1")
		touch "$tmp/.complete"
		g4j_publish "$tmp" "$dir"
	fi
	printf '%s\n' "$dir/linux"
}

# Prints a JDK >= 22: $JAVA_HOME if it is one, else the newest under /usr/lib/jvm; nothing if none.
g4j_find_jdk() {
	local j v best="" bestv=0
	if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
		v=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 |
			sed -n 's/^ *java.specification.version = //p')
		if [ "${v%%.*}" -ge 22 ] 2>/dev/null; then
			printf '%s\n' "$JAVA_HOME"
			return 0
		fi
	fi
	for j in /usr/lib/jvm/*; do
		[ -x "$j/bin/java" ] && [ ! -L "$j" ] || continue
		v=$("$j/bin/java" -XshowSettings:properties -version 2>&1 |
			sed -n 's/^ *java.specification.version = //p')
		v=${v%%.*}
		if [ "$v" -ge 22 ] 2>/dev/null && [ "$v" -gt "$bestv" ]; then
			best=$j bestv=$v
		fi
	done
	[ -n "$best" ] && printf '%s\n' "$best"
	return 0
}
