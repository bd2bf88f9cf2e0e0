#!/bin/sh
# sign-sample.sh COLINK [DIR] -- sample signing keys and signatures for the
# sample agreement (issue #24; docs/agreement.md "Signing and verification").
#
# In DIR (default: this script's folder) it creates, once, a signing key
# pair for each party's responsible person named in agreement.xml
# (keys/association.key|.pub, keys/employer.key|.pub; the private keys
# mode 0600) and, when agreement.xml.sig does not exist yet, signs
# agreement.xml with both.  SAMPLE KEYS ONLY: they are generated on each
# machine and never committed (.gitignore); a real agreement is signed by
# the real responsible persons with keys they keep themselves.
set -eu
colink=$1
dir=${2:-$(dirname "$0")}
mkdir -p "$dir/keys"
key() { # party signer
	[ -f "$dir/keys/$1.key" ] ||
		"$colink" agreement keygen --party "$1" --signer "$2" \
			"$dir/keys/$1.key" "$dir/keys/$1.pub" >/dev/null
}
key association "見本 次郎"
key employer "見本 三郎"
if [ ! -f "$dir/agreement.xml.sig" ]; then
	"$colink" agreement sign --key "$dir/keys/association.key" "$dir/agreement.xml" >/dev/null
	"$colink" agreement sign --key "$dir/keys/employer.key" "$dir/agreement.xml" >/dev/null
fi
