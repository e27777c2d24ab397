# modules-man.awk -- the mdoc table of cryptokey(1)'s TOKEN COMPATIBILITY
# section, made from tests/cli/modules.tab:
#	awk -f tests/cli/modules-man.awk tests/cli/modules.tab
# tests/cli/t_modules.sh checks that the man page holds exactly this.
BEGIN {
	nm = split("softhsm nss p11kit tpm", mods, " ")
	w["cap.login_required"] = "login required"
	w["cap.rsa_keygen"] = "RSA keys"
	w["cap.ec_keygen"] = "EC keys"
	w["cap.ed25519_keygen"] = "Ed25519 keys"
	w["cap.wrap"] = "key wrap"
	w["cap.unwrap"] = "key unwrap"
	w["cap.data_objects"] = "data objects"
	w["cap.extractable"] = "exportable keys"
	w["gen"] = "generate"
	w["gen-exp"] = "generate, exportable"
	w["gen-ec"] = "generate ec, P-256"
	w["gen-ed"] = "generate ec, Ed25519"
	w["show"] = "show"
	w["export-pub"] = "export, public key"
	w["export"] = "export, private key"
	w["export-nonexp"] = "export, not exportable"
	w["import"] = "import"
	w["encrypt"] = "encrypt"
	w["lock"] = "lock"
	w["unlock"] = "unlock"
	w["zeroize"] = "zeroize"
	w["move-in"] = "move, from SoftHSM2"
	w["move-out"] = "move, to SoftHSM2"
	w["kr-create"] = "keyring create"
	w["kr-pubkey"] = "keyring add-pubkey"
	w["kr-pubkey-ec"] = "keyring add-pubkey, EC"
	w["kr-psk"] = "keyring add-psk"
}
/^#/ || NF < 3 { next }
{
	if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
	v = $3
	if (v == "0") v = "ok"
	else if (v == "-") v = "\\(em"
	else if (v ~ /^[0-9]+$/ && $1 !~ /^cap\./) v = "exit " v
	cell[$1, $2] = v
}
END {
	print ".Bl -column \"export, not exportable\" \"SoftHSM2\" \"exit 8\" \"p11-kit\" \"exit 8\""
	print ".It Em capability, verb Ta Em SoftHSM2 Ta Em NSS Ta Em p11-kit Ta Em TPM"
	for (i = 1; i <= n; i++) {
		k = order[i]
		line = ".It " (k in w ? w[k] : k)
		for (j = 1; j <= nm; j++)
			line = line " Ta " ((k, mods[j]) in cell ? cell[k, mods[j]] : "")
		print line
	}
	print ".El"
}
