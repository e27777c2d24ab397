#!/bin/sh
# t_docs.sh -- the repository documents itself: every relative link in
# README.md and docs/*.md names a file or directory that exists (and an
# anchor, when it names one, a heading of that page), and no file points
# at documents outside the repository.
. "$top_srcdir/tests/cli/lib.sh"

cd "$top_srcdir" || { echo "Bail out! no source tree"; exit 1; }

# GitHub's anchor of a heading: lower case, punctuation dropped, spaces
# to hyphens
anchors() {
	sed -n 's/^#\{1,6\} //p' "$1" | tr 'A-Z' 'a-z' |
	    sed 's/[^a-z0-9 _-]//g; s/ /-/g'
}

for page in README.md docs/*.md; do
	[ -f "$page" ] || continue
	dir=$(dirname "$page")
	# [text](target) with a relative target
	for link in $(grep -o '\]([^)#][^)]*)' "$page" | sed 's/^](//; s/)$//' |
	    grep -v '^[a-z]*:'); do
		file=${link%%#*}
		if [ ! -e "$dir/$file" ]; then
			fail "$page: link $link: no $dir/$file"
			continue
		fi
		case $link in
		*#*)
			a=${link#*#}
			if anchors "$dir/$file" | grep -qx -- "$a"; then
				pass "$page: link $link"
			else
				fail "$page: link $link: no such heading"
			fi ;;
		*)	pass "$page: link $link" ;;
		esac
	done
done

# nothing refers to the working contract or notes that lived beside the
# repository while it was written (the words are split so that this file
# does not match itself)
spec="SPEC""\\.md"
shared="shared"" folder"
research="research""/"
outside="/wor""k/shared"
if find . \( -name .git -o -name 'build*' -o -name autom4te.cache \
    -o -name 'cryptokey-[0-9]*' -o -name _build -o -name _inst \) -prune \
    -o -type f \( -name '*.md' -o -name '*.[ch]' -o -name '*.sh' \
    -o -name '*.py' -o -name '*.[1-8]' -o -name '*.am' -o -name '*.ac' \
    -o -name '*.in' -o -name 'README*' -o -path './completions/*' \) \
    -print |
    xargs grep -l -E "$spec|$shared|$outside|$research" 2>/dev/null |
    grep -v -e '^./build-aux/' -e '^./m4/' >"$T/refs"; then
	fail "files refer outside the repository: $(tr '\n' ' ' <"$T/refs")"
else
	pass "no file refers to documents outside the repository"
fi
ok "[ -f docs/README.md ] && grep -q 'docs/' README.md" \
    "README.md links docs/"

done_testing
