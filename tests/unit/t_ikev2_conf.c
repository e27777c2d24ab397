/*
 * t_ikev2_conf.c -- the IKEv2 (FlexVPN) statements of ikesignd.conf
 * (conf.c): proposals, policies and profiles with their sub-mode lines,
 * the global crypto ikev2 lines and their no forms, peer ... profile;
 * multi-value lines, every range boundary, every error with its line, the
 * IOS default proposal and policy, and the lookups conf_v2_proposals,
 * conf_v2_profile, conf_v2_match_addr and conf_v2_match_fqdn.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/ikesignd/ikesignd.h"
#include "tools/ikesignd/ikev2.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static struct conf c;
static char err[512];

static ks_status
parse(const char *text)
{
	err[0] = '\0';
	return conf_parse(text, strlen(text), "t.conf", &c, err, sizeof(err));
}

/* text is refused with want (file:line: reason) somewhere in the error */
static void
refused(const char *text, const char *want)
{
	ok(parse(text) == KS_EINPUT && strstr(err, want) != NULL,
	    "refused: %s (%s)", want, err);
}

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a;
}

static const char full[] =
    "key k\n"						/* 1 */
    "crypto ikev2 proposal CBC\n"			/* 2 */
    " encryption aes-cbc-256 aes-cbc-128\n"		/* 3 */
    " encryption aes-cbc-192 aes-cbc-256\n"		/* 4 */
    " integrity sha512 sha256\n"			/* 5 */
    " integrity sha1\n"					/* 6 */
    " group 19 14\n"					/* 7 */
    " group 21 31 20 15 16\n"				/* 8 */
    "crypto ikev2 proposal GCM\n"			/* 9 */
    " encryption aes-gcm-256 aes-gcm-128\n"		/* 10 */
    " prf sha384\n"					/* 11 */
    " group 20\n"					/* 12 */
    "!\n"						/* 13 */
    "crypto ikev2 policy POL\n"				/* 14 */
    " match fvrf any\n"					/* 15 */
    " match address local 192.0.2.1\n"			/* 16 */
    " match address local 192.0.2.9\n"			/* 17 */
    " proposal GCM\n"					/* 18 */
    " proposal CBC\n"					/* 19 */
    " proposal GCM\n"					/* 20 */
    "crypto ikev2 profile SITE\n"			/* 21 */
    " match fvrf any\n"					/* 22 */
    " match identity remote address 198.51.100.7\n"	/* 23 */
    " match identity remote address 203.0.113.77 255.255.255.0\n" /* 24 */
    " match identity remote fqdn Peer.Example.NET\n"	/* 25 */
    " match identity remote fqdn domain example.org\n"	/* 26 */
    " identity local fqdn gw1.example.net\n"		/* 27 */
    " authentication local rsa-sig pss\n"		/* 28 */
    " authentication remote rsa-sig\n"			/* 29 */
    " keyring local ring\n"				/* 30 */
    " lifetime 28800\n"					/* 31 */
    " dpd 30 5 periodic\n"				/* 32 */
    " exit\n"						/* 33 */
    "crypto ikev2 cookie-challenge 100\n"		/* 34 */
    "crypto ikev2 limit max-in-negotiation-sa 500 incoming\n" /* 35 */
    "crypto ikev2 fragmentation mtu 1280\n"		/* 36 */
    "peer 198.51.100.7 ike-version 2 profile SITE port 4500\n" /* 37 */
    "peer 198.51.100.8 ike-version 2\n"			/* 38 */
    "peer 198.51.100.9 ike-version 1\n";		/* 39 */

static void
test_full(void)
{
	const struct v2_proposal *pr[CONF_V2_ALGS];
	const struct v2_proposal *cbc, *gcm;
	const struct v2_policy *pol;
	const struct v2_profile *prof;
	const struct peer *pe;

	ok(parse(full) == KS_OK, "a full FlexVPN configuration parses (%s)",
	    err);
	ok(c.v2.nproposal == 2 && c.v2.npolicy == 1 && c.v2.nprofile == 1,
	    "two proposals, a policy and a profile");
	cbc = &c.v2.proposals[0];
	gcm = &c.v2.proposals[1];
	ok(strcmp(cbc->name, "CBC") == 0 && cbc->nencr == 3 &&
	    cbc->encr[0] == IKEV2_ENCR_AES_CBC && cbc->encr_bits[0] == 256 &&
	    cbc->encr_bits[1] == 128 && cbc->encr_bits[2] == 192,
	    "encryption: several values a line, lines append, a repeat "
	    "is kept once, in order");
	ok(cbc->ninteg == 3 &&
	    cbc->integ[0] == IKEV2_INTEG_HMAC_SHA2_512_256 &&
	    cbc->integ[1] == IKEV2_INTEG_HMAC_SHA2_256_128 &&
	    cbc->integ[2] == IKEV2_INTEG_HMAC_SHA1_96, "integrity appends");
	ok(cbc->nprf == 3 && cbc->prf[0] == IKEV2_PRF_HMAC_SHA2_512 &&
	    cbc->prf[1] == IKEV2_PRF_HMAC_SHA2_256 &&
	    cbc->prf[2] == IKEV2_PRF_HMAC_SHA1,
	    "no prf line: the prf list is the integrity list (IOS)");
	ok(cbc->ngroup == 7 && cbc->group[0] == 19 && cbc->group[1] == 14 &&
	    cbc->group[2] == 21 && cbc->group[3] == 31 && cbc->group[6] == 16,
	    "groups append in order, 31 (Curve25519) among them");
	ok(gcm->nencr == 2 && gcm->encr[0] == IKEV2_ENCR_AES_GCM_16 &&
	    gcm->encr_bits[0] == 256 && gcm->encr_bits[1] == 128 &&
	    gcm->ninteg == 0 && gcm->nprf == 1 &&
	    gcm->prf[0] == IKEV2_PRF_HMAC_SHA2_384 && gcm->ngroup == 1,
	    "an AEAD proposal: no integrity, its own prf");
	pol = &c.v2.policies[0];
	ok(strcmp(pol->name, "POL") == 0 && pol->nproposal == 2 &&
	    strcmp(pol->proposal[0], "GCM") == 0 &&
	    strcmp(pol->proposal[1], "CBC") == 0 && pol->nlocal == 2 &&
	    pol->local[1].s_addr == ip("192.0.2.9").s_addr,
	    "policy: proposals in order, once each; two local addresses");
	prof = &c.v2.profiles[0];
	ok(prof->nmatch == 4 && !prof->match[0].fqdn &&
	    prof->match[0].mask.s_addr == ip("255.255.255.255").s_addr &&
	    prof->match[1].addr.s_addr == ip("203.0.113.0").s_addr &&
	    prof->match[1].mask.s_addr == ip("255.255.255.0").s_addr,
	    "match identity remote address: mask /32 by default; the "
	    "address is masked");
	ok(prof->match[2].fqdn && !prof->match[2].domain &&
	    strcmp(prof->match[2].name, "Peer.Example.NET") == 0 &&
	    prof->match[3].fqdn && prof->match[3].domain &&
	    strcmp(prof->match[3].name, "example.org") == 0,
	    "match identity remote fqdn and fqdn domain");
	ok(prof->id_fqdn && strcmp(prof->id_name, "gw1.example.net") == 0,
	    "identity local fqdn");
	ok(prof->auth_local == V2_AUTH_PSS &&
	    prof->auth_remote == V2_AUTH_RSA_SIG,
	    "authentication local rsa-sig pss, remote rsa-sig");
	ok(strcmp(prof->keyring, "ring") == 0 && prof->lifetime == 28800 &&
	    prof->dpd == 30 && prof->dpd_retry == 5 && prof->dpd_periodic,
	    "keyring local, lifetime, dpd");
	ok(c.v2.cookie_challenge == 100 && c.v2.max_in_negotiation == 500 &&
	    c.v2.fragmentation && c.v2.frag_mtu == 1280,
	    "cookie-challenge, limit, fragmentation mtu");
	pe = conf_peer_name(&c, "198.51.100.7");
	ok(pe != NULL && pe->version == 2 &&
	    strcmp(pe->profile, "SITE") == 0 && pe->port == 4500 &&
	    strcmp(pe->keyring, "default") == 0,
	    "peer ike-version 2 with a profile");
	pe = conf_peer_name(&c, "198.51.100.8");
	ok(pe != NULL && pe->version == 2 && pe->profile[0] == '\0',
	    "peer ike-version 2 without one (found by match)");
	ok(conf_v2_proposals(&c, ip("192.0.2.9"), pr, NELEM(pr)) == 2 &&
	    pr[0] == gcm && pr[1] == cbc,
	    "the policy's proposals, in its order");
	ok(conf_v2_proposals(&c, ip("192.0.2.9"), pr, 1) == 1 && pr[0] == gcm,
	    "bounded by max");
	ok(conf_v2_proposals(&c, ip("192.0.2.2"), pr, NELEM(pr)) == 1 &&
	    strcmp(pr[0]->name, "default") == 0,
	    "a local address no policy names: the default policy");
	ok(conf_v2_profile(&c, "SITE") == prof &&
	    conf_v2_profile(&c, "site") == NULL &&
	    conf_v2_profile(&c, "NONE") == NULL, "conf_v2_profile by name");
}

static void
test_defaults(void)
{
	const struct v2_proposal *pr[4];
	const struct v2_proposal *d;
	int g;

	ok(parse("key k\n") == KS_OK && c.v2.nproposal == 0 &&
	    c.v2.npolicy == 0 && c.v2.nprofile == 0 &&
	    c.v2.cookie_challenge == 0 && c.v2.max_in_negotiation == 0 &&
	    !c.v2.fragmentation && c.v2.frag_mtu == 576,
	    "no IKEv2 lines: no cookies, the default half-open table, no "
	    "fragmentation, mtu 576");
	ok(conf_v2_proposals(&c, ip("192.0.2.1"), pr, NELEM(pr)) == 1,
	    "no policy: the default policy, one proposal");
	d = pr[0];
	ok(strcmp(d->name, "default") == 0 && d->nencr == 1 &&
	    d->encr[0] == IKEV2_ENCR_AES_CBC && d->encr_bits[0] == 256,
	    "the default proposal (IOS XE 17): aes-cbc-256");
	ok(d->ninteg == 2 && d->integ[0] == IKEV2_INTEG_HMAC_SHA2_512_256 &&
	    d->integ[1] == IKEV2_INTEG_HMAC_SHA2_384_192 && d->nprf == 2 &&
	    d->prf[0] == IKEV2_PRF_HMAC_SHA2_512 &&
	    d->prf[1] == IKEV2_PRF_HMAC_SHA2_384,
	    "integrity and prf sha512 sha384");
	ok(d->ngroup == 3 && d->group[0] == 19 && d->group[1] == 14 &&
	    d->group[2] == 21, "groups 19 14 21: IOS's group 5 left out");
	ok(conf_v2_proposals(&c, ip("192.0.2.1"), pr, 0) == 0,
	    "max 0: nothing");
	for (g = 0; g < 3; g++)
		ok(dh_group_get(d->group[g]) != NULL,
		    "dh.c has default group %u", d->group[g]);
	ok(parse("key k\ncrypto ikev2 proposal P\n encryption aes-cbc-128\n"
	    " integrity sha256\n group 14\n") == KS_OK &&
	    conf_v2_proposals(&c, ip("192.0.2.1"), pr, NELEM(pr)) == 1 &&
	    strcmp(pr[0]->name, "default") == 0,
	    "a proposal no policy names is not used: still the default "
	    "(as on IOS)");
	ok(parse("key k\ncrypto ikev2 proposal default\n encryption "
	    "aes-gcm-128\n prf sha256\n group 19\n") == KS_OK &&
	    conf_v2_proposals(&c, ip("192.0.2.1"), pr, NELEM(pr)) == 1 &&
	    pr[0] == &c.v2.proposals[0],
	    "a proposal named default replaces the built-in one");
	ok(parse("key k\ncrypto ikev2 policy P\n proposal default\n") ==
	    KS_OK && conf_v2_proposals(&c, ip("192.0.2.1"), pr, NELEM(pr)) ==
	    1 && pr[0]->encr_bits[0] == 256,
	    "a policy may name the built-in default proposal");
}

static void
test_policy_choice(void)
{
	static const char text[] =
	    "key k\n"
	    "crypto ikev2 proposal A\n encryption aes-cbc-128\n"
	    " integrity sha256\n group 14\n"
	    "crypto ikev2 proposal B\n encryption aes-cbc-256\n"
	    " integrity sha384\n group 20\n"
	    "crypto ikev2 policy ANY\n proposal A\n"
	    "crypto ikev2 policy ONE\n match address local 10.0.0.1\n"
	    " proposal B\n"
	    "crypto ikev2 policy ANY2\n proposal B\n";
	const struct v2_proposal *pr[4];

	ok(parse(text) == KS_OK, "three policies parse (%s)", err);
	ok(conf_v2_proposals(&c, ip("10.0.0.1"), pr, NELEM(pr)) == 1 &&
	    strcmp(pr[0]->name, "B") == 0,
	    "a policy that names the address wins over an earlier any");
	ok(conf_v2_proposals(&c, ip("10.0.0.2"), pr, NELEM(pr)) == 1 &&
	    strcmp(pr[0]->name, "A") == 0,
	    "else the first policy that matches any address");
	ok(parse("key k\ncrypto ikev2 policy ONE\n match address local "
	    "10.0.0.1\n proposal default\n") == KS_OK &&
	    conf_v2_proposals(&c, ip("10.0.0.2"), pr, NELEM(pr)) == 1 &&
	    strcmp(pr[0]->name, "default") == 0,
	    "no policy matches: the default policy");
}

static void
test_proposal_errors(void)
{
	static const struct {
		const char	*text;
		const char	*want;
	} bad[] = {
		{ "crypto ikev2 proposal P\n encryption des\n",
		    "t.conf:2: unknown encryption 'des'; use aes-cbc-128, "
		    "aes-cbc-192, aes-cbc-256, aes-gcm-128, aes-gcm-256 or 3des" },
		{ "crypto ikev2 proposal P\n encryption\n",
		    "t.conf:2: usage: encryption VALUE..." },
		{ "crypto ikev2 proposal P\n integrity md5\n",
		    "t.conf:2: unknown integrity 'md5'; use sha1, sha256, "
		    "sha384 or sha512" },
		{ "crypto ikev2 proposal P\n prf sha\n",
		    "t.conf:2: unknown prf 'sha'; use sha1, sha256, sha384 or "
		    "sha512" },
		{ "crypto ikev2 proposal P\n group 14 3\n",
		    "t.conf:2: unknown group '3'; use 14, 15, 16, 19, 20, 21 "
		    "or 31" },
		{ "crypto ikev2 proposal P\n group x\n",
		    "t.conf:2: unknown group 'x'" },
		{ "crypto ikev2 proposal P\n group 1\n",
		    "t.conf:2: group 1 is not implemented by ikesignd; use 14, "
		    "15, 16, 19, 20, 21 or 31" },
		{ "crypto ikev2 proposal P\n group 2\n",
		    "t.conf:2: group 2 is not implemented by ikesignd" },
		{ "crypto ikev2 proposal P\n group 5\n",
		    "t.conf:2: group 5 is not implemented by ikesignd" },
		{ "crypto ikev2 proposal P\n group 24\n",
		    "t.conf:2: group 24 is not implemented by ikesignd" },
		{ "crypto ikev2 proposal P\n integrity sha1\n group 14\n",
		    "t.conf:1: proposal 'P' has no encryption" },
		{ "crypto ikev2 proposal P\n encryption aes-cbc-128\n"
		    " integrity sha1\n",
		    "t.conf:1: proposal 'P' has no group" },
		{ "crypto ikev2 proposal P\n encryption aes-cbc-128\n"
		    " group 14\n",
		    "t.conf:1: proposal 'P' has no integrity" },
		{ "!\ncrypto ikev2 proposal P\n encryption aes-gcm-128 "
		    "aes-cbc-128\n prf sha256\n group 14\n",
		    "t.conf:2: proposal 'P' mixes aes-gcm with other ciphers; "
		    "put them in separate proposals" },
		{ "crypto ikev2 proposal P\n encryption aes-gcm-128\n"
		    " prf sha256\n integrity sha256\n group 14\n",
		    "t.conf:1: proposal 'P': aes-gcm takes no integrity" },
		{ "crypto ikev2 proposal P\n encryption aes-gcm-256\n"
		    " group 14\n",
		    "t.conf:1: proposal 'P': aes-gcm needs a prf" },
		{ "crypto ikev2 proposal OK\n encryption 3des\n integrity sha1\n"
		    " group 14\ncrypto ikev2 proposal P\n group 14\n"
		    "crypto ikev2 proposal P\n encryption aes-gcm-128\n"
		    " prf sha1\n integrity sha1\n",
		    "t.conf:5: proposal 'P': aes-gcm takes no integrity" },
	};
	char text[512];
	size_t i;

	for (i = 0; i < NELEM(bad); i++) {
		snprintf(text, sizeof(text), "%skey k\n", bad[i].text);
		refused(text, bad[i].want);
	}
	ok(parse("key k\ncrypto ikev2 proposal P\n encryption 3des\n"
	    " integrity sha1\n prf sha1\n group 14 15 16 19 20 21 31\n") ==
	    KS_OK && c.v2.proposals[0].encr[0] == IKEV2_ENCR_3DES &&
	    c.v2.proposals[0].encr_bits[0] == 0 &&
	    c.v2.proposals[0].ngroup == 7,
	    "3des (weak, with a warning) and every group ikesignd has");
	for (i = 0; i < c.v2.proposals[0].ngroup; i++)
		if (c.v2.proposals[0].group[i] != 31)
			ok(dh_group_get(c.v2.proposals[0].group[i]) != NULL,
			    "dh.c has group %u", c.v2.proposals[0].group[i]);
	ok(parse("key k\ncrypto ikev2 proposal P\n encryption aes-cbc-128\n"
	    "crypto ikev2 policy X\n proposal P\n"
	    "crypto ikev2 proposal P\n integrity sha256\n group 14\n") ==
	    KS_OK && c.v2.nproposal == 1 && c.v2.proposals[0].ninteg == 1 &&
	    c.v2.proposals[0].nprf == 1,
	    "a proposal may be re-entered: its lines add up (IOS)");
}

static void
test_policy_errors(void)
{
	static const struct {
		const char	*text;
		const char	*want;
	} bad[] = {
		{ "crypto ikev2 policy X\n proposal P\n",
		    "t.conf:2: proposal 'P' is not defined (policy 'X')" },
		{ "crypto ikev2 policy X\n match address local 10.0.0.1\n",
		    "t.conf:1: policy 'X' names no proposal" },
		{ "crypto ikev2 policy X\n proposal\n",
		    "t.conf:2: usage: proposal NAME" },
		{ "crypto ikev2 policy X\n proposal A B\n",
		    "t.conf:2: usage: proposal NAME" },
		{ "crypto ikev2 policy X\n match address local ::1\n",
		    "t.conf:2: usage: match address local IPV4-ADDRESS" },
		{ "crypto ikev2 policy X\n match address remote 10.0.0.1\n",
		    "t.conf:2: usage: match address local IPV4-ADDRESS" },
		{ "crypto ikev2 policy X\n match fvrf blue\n",
		    "t.conf:2: usage: match address local IPV4-ADDRESS" },
		{ "crypto ikev2 policy X\n proposal default\n"
		    " proposal 1\n proposal 2\n proposal 3\n proposal 4\n"
		    " proposal 5\n proposal 6\n proposal 7\n proposal 8\n",
		    "t.conf:10: more than 8 proposals in policy 'X'" },
		{ "crypto ikev2 policy X\n proposal default\n"
		    " match address local 10.0.0.1\n"
		    " match address local 10.0.0.2\n"
		    " match address local 10.0.0.3\n"
		    " match address local 10.0.0.4\n"
		    " match address local 10.0.0.5\n"
		    " match address local 10.0.0.6\n"
		    " match address local 10.0.0.7\n"
		    " match address local 10.0.0.8\n"
		    " match address local 10.0.0.9\n",
		    "t.conf:11: more than 8 'match address local' lines in "
		    "policy 'X'" },
	};
	char text[1024];
	size_t i;

	for (i = 0; i < NELEM(bad); i++) {
		snprintf(text, sizeof(text), "%skey k\n", bad[i].text);
		refused(text, bad[i].want);
	}
	ok(parse("key k\ncrypto ikev2 policy X\n match address local "
	    "10.0.0.1\n match address local 10.0.0.1\n proposal default\n") ==
	    KS_OK && c.v2.policies[0].nlocal == 1,
	    "the same local address twice is kept once");
	refused("key k\n!\ncrypto ikev2 policy X\n proposal LATER\n"
	    "crypto ikev2 proposal LATE\n encryption aes-cbc-128\n"
	    " integrity sha1\n group 14\n",
	    "t.conf:4: proposal 'LATER' is not defined (policy 'X')");
	ok(parse("key k\ncrypto ikev2 policy X\n proposal LATER\n"
	    "crypto ikev2 proposal LATER\n encryption aes-cbc-128\n"
	    " integrity sha1\n group 14\n") == KS_OK,
	    "a proposal may be defined after the policy naming it");
}

static const char prof_ok[] = " authentication local rsa-sig\n"
    " authentication remote rsa-sig\n";

static void
test_profile_lines(void)
{
	static const struct {
		const char	*line;
		const char	*want;
	} bad[] = {
		{ " match identity remote address 10.0.0.256\n",
		    "t.conf:3: match identity remote address: '10.0.0.256' is "
		    "not an IPv4 address" },
		{ " match identity remote address 10.0.0.0 255.0.255.0\n",
		    "t.conf:3: match identity remote address: '255.0.255.0' "
		    "is not a netmask" },
		{ " match identity remote address 10.0.0.0 24\n",
		    "t.conf:3: match identity remote address: '24' is not a "
		    "netmask" },
		{ " match identity remote email a@b\n",
		    "t.conf:3: usage: match identity remote address "
		    "IPV4-ADDRESS [MASK] | match identity remote fqdn [domain] "
		    "NAME" },
		{ " match identity remote fqdn domain\n",
		    "t.conf:3: usage: match identity remote address" },
		{ " match identity remote fqdn a b\n",
		    "t.conf:3: usage: match identity remote address" },
		{ " match identity local fqdn a\n",
		    "t.conf:3: usage: match identity remote address" },
		{ " match identity remote\n",
		    "t.conf:3: usage: match identity remote address" },
		{ " identity local dn\n",
		    "t.conf:3: usage: identity local address IPV4-ADDRESS | "
		    "identity local fqdn NAME" },
		{ " identity remote fqdn a\n",
		    "t.conf:3: usage: identity local address" },
		{ " identity local address gw.example\n",
		    "t.conf:3: identity local address: 'gw.example' is not an "
		    "IPv4 address" },
		{ " authentication local pre-share key Sup3rS3cretPSK\n",
		    "t.conf:3: pre-shared keys are not written in "
		    "ikesignd.conf: store them on the token with "
		    "'cryptokeyring add-psk KEYRING --address ADDRESS[/MASK]' "
		    "or '--hostname NAME' (see cryptokeyring(1)); the key on "
		    "this line was not used" },
		{ " authentication remote pre-share pss\n",
		    "t.conf:3: usage: authentication local rsa-sig [pss]" },
		{ " authentication local ecdsa-sig pss\n",
		    "t.conf:3: usage: authentication local rsa-sig [pss]" },
		{ " authentication remote rsa-sig pss\n",
		    "t.conf:3: 'pss' chooses how ikesignd signs: it goes with "
		    "authentication local only" },
		{ " authentication local rsa-sig pkcs1\n",
		    "t.conf:3: usage: authentication local rsa-sig [pss] | "
		    "authentication local ecdsa-sig|pre-share | "
		    "authentication remote rsa-sig|ecdsa-sig|pre-share" },
		{ " authentication remote eap\n",
		    "t.conf:3: usage: authentication local rsa-sig [pss]" },
		{ " authentication both rsa-sig\n",
		    "t.conf:3: usage: authentication local rsa-sig [pss]" },
		{ " authentication local\n",
		    "t.conf:3: usage: authentication local rsa-sig [pss]" },
		{ " keyring local\n", "t.conf:3: usage: keyring [local] NAME" },
		{ " keyring aaa list\n",
		    "t.conf:3: usage: keyring [local] NAME" },
		{ " keyring\n", "t.conf:3: usage: keyring [local] NAME" },
		{ " lifetime 119\n",
		    "t.conf:3: usage: lifetime SECONDS (120-86400)" },
		{ " lifetime 86401\n",
		    "t.conf:3: usage: lifetime SECONDS (120-86400)" },
		{ " lifetime\n",
		    "t.conf:3: usage: lifetime SECONDS (120-86400)" },
		{ " dpd 9 2 periodic\n",
		    "t.conf:3: usage: dpd INTERVAL (10-3600) RETRY (2-60) "
		    "on-demand|periodic" },
		{ " dpd 3601 2 periodic\n", "t.conf:3: usage: dpd INTERVAL" },
		{ " dpd 10 1 periodic\n", "t.conf:3: usage: dpd INTERVAL" },
		{ " dpd 10 61 on-demand\n", "t.conf:3: usage: dpd INTERVAL" },
		{ " dpd 10 2 sometimes\n", "t.conf:3: usage: dpd INTERVAL" },
		{ " dpd 10 2\n", "t.conf:3: usage: dpd INTERVAL" },
	};
	char text[1024];
	size_t i;

	for (i = 0; i < NELEM(bad); i++) {
		snprintf(text, sizeof(text), "key k\ncrypto ikev2 profile X\n"
		    "%s%s", bad[i].line, prof_ok);
		refused(text, bad[i].want);
	}
	snprintf(text, sizeof(text), "key k\ncrypto ikev2 profile X\n%s"
	    " lifetime 120\n dpd 10 2 on-demand\n keyring ring\n"
	    " identity local address 192.0.2.1\n"
	    " match identity remote address 0.0.0.0 0.0.0.0\n", prof_ok);
	ok(parse(text) == KS_OK && c.v2.profiles[0].lifetime == 120 &&
	    c.v2.profiles[0].dpd == 10 && c.v2.profiles[0].dpd_retry == 2 &&
	    !c.v2.profiles[0].dpd_periodic &&
	    strcmp(c.v2.profiles[0].keyring, "ring") == 0 &&
	    !c.v2.profiles[0].id_fqdn &&
	    strcmp(c.v2.profiles[0].id_name, "192.0.2.1") == 0 &&
	    c.v2.profiles[0].match[0].mask.s_addr == 0,
	    "the smallest lifetime and dpd, keyring NAME, identity local "
	    "address, a /0 match");
	snprintf(text, sizeof(text), "key k\ncrypto ikev2 profile X\n%s"
	    " lifetime 86400\n dpd 3600 60 periodic\n", prof_ok);
	ok(parse(text) == KS_OK && c.v2.profiles[0].lifetime == 86400 &&
	    c.v2.profiles[0].dpd == 3600 && c.v2.profiles[0].dpd_retry == 60 &&
	    c.v2.profiles[0].auth_local == V2_AUTH_RSA_SIG &&
	    c.v2.profiles[0].keyring[0] == '\0',
	    "the largest lifetime and dpd; rsa-sig without pss; no keyring "
	    "line: \"\" (the default keyring)");
	snprintf(text, sizeof(text), "key k\ncrypto ikev2 profile X\n%s",
	    prof_ok);
	ok(parse(text) == KS_OK && c.v2.profiles[0].lifetime == 86400 &&
	    c.v2.profiles[0].dpd == 0 && c.v2.profiles[0].nmatch == 0,
	    "IOS defaults: lifetime 86400, no dpd");
	snprintf(text, sizeof(text), "key k\ncrypto ikev2 profile X\n%s"
	    " authentication remote pre-share\n", prof_ok);
	ok(parse(text) == KS_OK &&
	    c.v2.profiles[0].auth_local == V2_AUTH_RSA_SIG &&
	    c.v2.profiles[0].auth_remote == V2_AUTH_PRE_SHARE,
	    "authentication local rsa-sig, remote pre-share: they may "
	    "differ, as on IOS");
	snprintf(text, sizeof(text), "key k\ncrypto ikev2 profile X\n%s"
	    " authentication local pre-share\n", prof_ok);
	ok(parse(text) == KS_OK &&
	    c.v2.profiles[0].auth_local == V2_AUTH_PRE_SHARE &&
	    c.v2.profiles[0].auth_remote == V2_AUTH_RSA_SIG,
	    "authentication local pre-share, remote rsa-sig");
	ok(parse("key k\ncrypto ikev2 profile X\n authentication local "
	    "pre-share\n authentication remote pre-share\n keyring "
	    "branch\n") == KS_OK &&
	    c.v2.profiles[0].auth_local == V2_AUTH_PRE_SHARE &&
	    c.v2.profiles[0].auth_remote == V2_AUTH_PRE_SHARE &&
	    strcmp(c.v2.profiles[0].keyring, "branch") == 0,
	    "pre-share both ways with the profile's keyring");
	refused("key k\n!\ncrypto ikev2 profile X\n authentication remote "
	    "rsa-sig\n", "t.conf:3: profile 'X' has no 'authentication "
	    "local'");
	refused("key k\ncrypto ikev2 profile X\n authentication local "
	    "rsa-sig\n", "t.conf:2: profile 'X' has no 'authentication "
	    "remote'");
}

/* A peer's own line wins, then the longest range (IKEv1 responder). */
static void
test_peer_ranges(void)
{
	static const struct { const char *addr, *ring; } want[] = {
		{ "10.1.2.3", "host" }, { "10.1.9.9", "sixteen" },
		{ "10.9.9.9", "eight" }, { "11.0.0.1", "any" },
	};
	const struct peer *pe;
	size_t i;

	if (!ok(parse("key k\npeer 0.0.0.0/0 keyring any\n"
	    "peer 10.0.0.0/8 keyring eight\npeer 10.1.0.0/16 keyring "
	    "sixteen\npeer 10.1.2.3 keyring host mode aggressive identity "
	    "key-id grp7\n") == KS_OK, "ranges and a host parse (%s)", err))
		return;
	for (i = 0; i < NELEM(want); i++) {
		pe = conf_peer(&c, ip(want[i].addr));
		ok(pe != NULL && strcmp(pe->keyring, want[i].ring) == 0,
		    "%s: the peer line of keyring %s", want[i].addr,
		    want[i].ring);
	}
	pe = conf_peer(&c, ip("10.1.2.3"));
	ok(pe != NULL && pe->aggressive && pe->id_type == IKE_ID_KEY_ID &&
	    strcmp(pe->id, "grp7") == 0 && pe->prefix == 32,
	    "the host's mode aggressive and identity key-id grp7");
	ok(parse("key k\npeer 10.0.0.0/8\n") == KS_OK &&
	    conf_peer(&c, ip("11.0.0.1")) == NULL,
	    "an address no line covers has no peer");
}

static void
test_peers(void)
{
	char text[1024];

	snprintf(text, sizeof(text), "key k\ncrypto ikev2 profile X\n%s"
	    "peer 10.0.0.1 ike-version 2 profile Y\n", prof_ok);
	refused(text, "t.conf:5: profile 'Y' is not defined");
	snprintf(text, sizeof(text), "key k\npeer 10.0.0.1 profile X "
	    "ike-version 2\ncrypto ikev2 profile X\n%s", prof_ok);
	ok(parse(text) == KS_OK, "a profile may be defined after the peer "
	    "line that names it (%s)", err);
	refused("key k\npeer 10.0.0.1 ike-version 1 profile X\n",
	    "t.conf:2: a profile is an IKEv2 setting: it needs ike-version 2");
	refused("key k\npeer 10.0.0.1 profile X\n",
	    "t.conf:2: a profile is an IKEv2 setting: it needs ike-version 2");
	refused("key k\npeer 10.0.0.1 ike-version 3\n",
	    "t.conf:2: ike-version must be 1 or 2");
	refused("key k\npeer 10.0.0.1 ike-version 2 profile\n",
	    "t.conf:2: 'profile' needs a value");
	refused("key k\npeer 10.0.0.1 vrf blue\n",
	    "t.conf:2: unknown peer option 'vrf'; usage: peer "
	    "IPV4-ADDRESS[/PREFIX] [ike-version 1|2] [profile NAME] "
	    "[keyring NAME] [port N] [mode main|aggressive] [identity "
	    "address|fqdn|user-fqdn ID|key-id ID]");
	refused("key k\npeer\n", "t.conf:2: usage: peer IPV4-ADDRESS[/PREFIX] "
	    "[ike-version 1|2] [profile NAME]");
	test_peer_ranges();
}

static void
test_globals(void)
{
	static const struct {
		const char	*text;
		const char	*want;
	} bad[] = {
		{ "crypto ikev2 cookie-challenge 0\n",
		    "t.conf:1: usage: crypto ikev2 cookie-challenge N "
		    "(1-1000)" },
		{ "crypto ikev2 cookie-challenge 1001\n",
		    "t.conf:1: usage: crypto ikev2 cookie-challenge N" },
		{ "crypto ikev2 cookie-challenge\n",
		    "t.conf:1: usage: crypto ikev2 cookie-challenge N" },
		{ "crypto ikev2 cookie-challenge 5 6\n",
		    "t.conf:1: usage: crypto ikev2 cookie-challenge N" },
		{ "no crypto ikev2 cookie-challenge 0\n",
		    "t.conf:1: usage: crypto ikev2 cookie-challenge N" },
		{ "crypto ikev2 limit max-in-negotiation-sa 0\n",
		    "t.conf:1: usage: crypto ikev2 limit max-in-negotiation-sa "
		    "N (1-2048) [incoming]" },
		{ "crypto ikev2 limit max-in-negotiation-sa 2049\n",
		    "t.conf:1: usage: crypto ikev2 limit max-in-negotiation-sa" },
		{ "crypto ikev2 limit max-in-negotiation-sa 0x10\n",
		    "t.conf:1: usage: crypto ikev2 limit max-in-negotiation-sa" },
		{ "crypto ikev2 limit max-in-negotiation-sa\n",
		    "t.conf:1: usage: crypto ikev2 limit max-in-negotiation-sa" },
		{ "crypto ikev2 limit max-in-negotiation-sa incoming\n",
		    "t.conf:1: usage: crypto ikev2 limit max-in-negotiation-sa" },
		{ "crypto ikev2 limit max-in-negotiation-sa 10 incoming x\n",
		    "t.conf:1: usage: crypto ikev2 limit max-in-negotiation-sa" },
		{ "crypto ikev2 limit max-sa 10\n",
		    "t.conf:1: usage: crypto ikev2 limit max-in-negotiation-sa" },
		{ "crypto ikev2 limit\n",
		    "t.conf:1: usage: crypto ikev2 limit max-in-negotiation-sa" },
		{ "crypto ikev2 limit max-in-negotiation-sa 10 outgoing\n",
		    "t.conf:1: max-in-negotiation-sa outgoing is not "
		    "implemented: ikesignd limits incoming negotiations" },
		{ "crypto ikev2 fragmentation mtu 67\n",
		    "t.conf:1: usage: crypto ikev2 fragmentation [mtu N "
		    "(68-1500)]" },
		{ "crypto ikev2 fragmentation mtu 1501\n",
		    "t.conf:1: usage: crypto ikev2 fragmentation [mtu N" },
		{ "crypto ikev2 fragmentation mtu\n",
		    "t.conf:1: usage: crypto ikev2 fragmentation [mtu N" },
		{ "crypto ikev2 fragmentation size 600\n",
		    "t.conf:1: usage: crypto ikev2 fragmentation [mtu N" },
		{ "crypto ikev2 nat keepalive 10\n",
		    "t.conf:1: unknown statement 'crypto ikev2 nat'" },
		{ "no crypto ikev2 dpd 10 2 periodic\n",
		    "t.conf:1: unknown statement 'no crypto ikev2 dpd'" },
		{ "crypto ikev2\n",
		    "t.conf:1: usage: crypto ikev2 proposal|policy|profile "
		    "NAME, or cookie-challenge, limit, fragmentation" },
		{ "crypto ikev2 keyring KR\n",
		    "t.conf:1: crypto ikev2 keyring is not read by ikesignd: "
		    "keyrings are kept on the token (cryptokeyring); name one "
		    "in a profile with 'keyring NAME'" },
		{ "no crypto ikev2 proposal P\n",
		    "t.conf:1: 'no crypto ikev2 proposal' is not supported: "
		    "delete the block's lines" },
		{ "no crypto ikev2 profile P\n",
		    "t.conf:1: 'no crypto ikev2 profile' is not supported" },
		{ "crypto ikev2 proposal\n",
		    "t.conf:1: usage: crypto ikev2 proposal NAME" },
		{ "crypto ikev2 policy A B\n",
		    "t.conf:1: usage: crypto ikev2 policy NAME" },
		{ "crypto ikev2 profile\n",
		    "t.conf:1: usage: crypto ikev2 profile NAME" },
		{ "crypto ipsec profile P\n",
		    "t.conf:1: only 'crypto isakmp', 'crypto ikev2' and "
		    "'crypto call admission' statements are understood here" },
	};
	char text[256];
	size_t i;

	for (i = 0; i < NELEM(bad); i++) {
		snprintf(text, sizeof(text), "%skey k\n", bad[i].text);
		refused(text, bad[i].want);
	}
	ok(parse("key k\ncrypto ikev2 cookie-challenge 1\n") == KS_OK &&
	    c.v2.cookie_challenge == 1, "cookie-challenge 1, the smallest");
	ok(parse("key k\ncrypto ikev2 cookie-challenge 1000\n"
	    "no crypto ikev2 cookie-challenge\n") == KS_OK &&
	    c.v2.cookie_challenge == 0,
	    "cookie-challenge 1000; the no form turns it off");
	ok(parse("key k\ncrypto ikev2 cookie-challenge 10\n"
	    "no crypto ikev2 cookie-challenge 10\n") == KS_OK &&
	    c.v2.cookie_challenge == 0, "so does the no form with its number");
	ok(parse("key k\ncrypto ikev2 limit max-in-negotiation-sa 1\n") ==
	    KS_OK && c.v2.max_in_negotiation == 1,
	    "max-in-negotiation-sa 1, the smallest");
	ok(parse("key k\ncrypto ikev2 limit max-in-negotiation-sa 2048\n") ==
	    KS_OK && c.v2.max_in_negotiation == 2048,
	    "max-in-negotiation-sa 2048, the largest");
	ok(parse("key k\ncrypto ikev2 limit max-in-negotiation-sa 64\n"
	    "no crypto ikev2 limit max-in-negotiation-sa\n") == KS_OK &&
	    c.v2.max_in_negotiation == 0,
	    "the no form restores the default table");
	ok(parse("key k\ncrypto ikev2 limit max-in-negotiation-sa 64\n"
	    "no crypto ikev2 limit max-in-negotiation-sa 64 incoming\n") ==
	    KS_OK && c.v2.max_in_negotiation == 0,
	    "so does the no form with its number and direction");
	ok(parse("key k\ncrypto ikev2 fragmentation\n") == KS_OK &&
	    c.v2.fragmentation && c.v2.frag_mtu == 576,
	    "fragmentation: on, mtu 576 (IOS)");
	ok(parse("key k\ncrypto ikev2 fragmentation mtu 68\n") == KS_OK &&
	    c.v2.frag_mtu == 68, "mtu 68, the smallest");
	ok(parse("key k\ncrypto ikev2 fragmentation mtu 1500\n"
	    "no crypto ikev2 fragmentation\n") == KS_OK &&
	    !c.v2.fragmentation && c.v2.frag_mtu == 576,
	    "mtu 1500; the no form turns it off");
}

static void
test_blocks(void)
{
	char text[1024], name[300];
	size_t i, len;

	refused("key k\n integrity sha1\n",
	    "t.conf:2: 'integrity' outside a crypto ikev2 proposal");
	refused("key k\n group 14\n", "t.conf:2: 'group' outside a crypto "
	    "isakmp policy or crypto ikev2 proposal");
	refused("key k\n\tmatch address local 10.0.0.1\n", "t.conf:2: 'match' "
	    "outside a crypto ikev2 policy or crypto ikev2 profile");
	refused("key k\n dpd 10 2 periodic\n",
	    "t.conf:2: 'dpd' outside a crypto ikev2 profile");
	refused("key k\ncrypto ikev2 proposal P\n exit\n integrity sha1\n",
	    "t.conf:4: 'integrity' outside a crypto ikev2 proposal");
	refused("key k\nexit\n", "t.conf:2: 'exit' outside a block");
	refused("key k\ncrypto ikev2 policy P\n exit now\n",
	    "t.conf:3: usage: exit");
	refused("key k\ncrypto ikev2 proposal P\n hash sha256\n",
	    "t.conf:3: unknown statement 'hash' (nor is it a crypto ikev2 "
	    "proposal command)");
	refused("key k\ncrypto ikev2 profile P\n aaa authorization x\n",
	    "t.conf:3: unknown statement 'aaa' (nor is it a crypto ikev2 "
	    "profile command)");
	refused("key k\ncrypto isakmp policy 1\n integrity sha1\n",
	    "t.conf:3: unknown statement 'integrity' (nor is it a crypto "
	    "isakmp policy command)");
	refused("key k\nfoo bar\n", "t.conf:2: unknown statement 'foo'");
	ok(parse("key k\ncrypto ikev2 proposal P\n encryption aes-cbc-128\n"
	    "crypto isakmp policy 1\n encryption aes\n group 14\n"
	    "crypto ikev2 proposal P\n integrity sha1\n group 14\n"
	    "crypto ikev2 policy X\n proposal P\n") == KS_OK &&
	    c.npol == 1 && c.pol[0].group == 14 &&
	    c.v2.proposals[0].ninteg == 1,
	    "a block ends at the next statement; isakmp and ikev2 lines "
	    "with the same words go to their own block");
	ok(parse("key k\ncrypto ikev2 proposal P\n encryption aes-cbc-128\n"
	    " peer 10.0.0.1\n integrity sha1\n") == KS_EINPUT &&
	    strstr(err, "t.conf:5: 'integrity' outside") != NULL,
	    "a top-level statement, even indented, ends the block");
	/* bounds */
	len = 0;
	for (i = 0; i <= CONF_V2_MAX; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "crypto ikev2 profile P%zu\n", i);
	refused(text, "t.conf:17: more than 16 'crypto ikev2 profile' blocks");
	len = (size_t)snprintf(text, sizeof(text), "crypto ikev2 profile P\n");
	for (i = 0; i <= CONF_V2_MATCH; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    " match identity remote fqdn h%zu.example\n", i);
	refused(text, "t.conf:10: more than 8 'match identity' lines in "
	    "profile 'P'");
	memset(name, 'n', sizeof(name) - 1);
	name[CONF_NAME_MAX] = '\0';
	snprintf(text, sizeof(text), "crypto ikev2 proposal %s\n", name);
	refused(text, "t.conf:1: proposal name too long");
	snprintf(text, sizeof(text), "crypto ikev2 policy X\n proposal %s\n",
	    name);
	refused(text, "t.conf:2: proposal name too long");
	snprintf(text, sizeof(text), "crypto ikev2 profile X\n match "
	    "identity remote fqdn %s\n", name);
	refused(text, "t.conf:2: fqdn too long");
	snprintf(text, sizeof(text), "crypto ikev2 profile X\n identity "
	    "local fqdn %s\n", name);
	refused(text, "t.conf:2: identity too long");
	snprintf(text, sizeof(text), "crypto ikev2 profile X\n keyring %s\n",
	    name);
	refused(text, "t.conf:2: keyring name too long");
	snprintf(text, sizeof(text), "peer 10.0.0.1 ike-version 2 profile "
	    "%s\n", name);
	refused(text, "t.conf:1: profile name too long");
	name[CONF_PROFILE_MAX] = '\0';
	snprintf(text, sizeof(text), "key k\ncrypto ikev2 profile %s\n%s",
	    name, prof_ok);
	refused(text, "t.conf:2: profile name too long (at most 63 characters)");
	name[CONF_PROFILE_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "key k\ncrypto ikev2 profile %s\n%s",
	    name, prof_ok);
	ok(parse(text) == KS_OK && conf_v2_profile(&c, name) != NULL,
	    "a profile name of %d characters is the longest",
	    CONF_PROFILE_MAX - 1);
}

static void
test_match(void)
{
	static const char text[] =
	    "key k\n"
	    "crypto ikev2 profile NET16\n"
	    " match identity remote address 10.1.0.0 255.255.0.0\n"
	    " match identity remote fqdn domain example.com\n"
	    " authentication local rsa-sig\n authentication remote rsa-sig\n"
	    "crypto ikev2 profile NET24\n"
	    " match identity remote address 10.1.2.0 255.255.255.0\n"
	    " match identity remote fqdn domain vpn.example.com\n"
	    " authentication local rsa-sig\n authentication remote rsa-sig\n"
	    "crypto ikev2 profile HOST\n"
	    " match identity remote fqdn GW.vpn.example.com\n"
	    " authentication local rsa-sig\n authentication remote rsa-sig\n"
	    "crypto ikev2 profile NET24B\n"
	    " match identity remote address 10.1.2.0 255.255.255.0\n"
	    " match identity remote address 10.1.2.3\n"
	    " authentication local rsa-sig\n authentication remote rsa-sig\n";
	const struct v2_profile *net16, *net24, *host, *net24b;

	ok(parse(text) == KS_OK, "four profiles parse (%s)", err);
	net16 = conf_v2_profile(&c, "NET16");
	net24 = conf_v2_profile(&c, "NET24");
	host = conf_v2_profile(&c, "HOST");
	net24b = conf_v2_profile(&c, "NET24B");
	ok(net16 && net24 && host && net24b, "each by name");
	ok(conf_v2_match_addr(&c, ip("10.1.9.9")) == net16,
	    "an address only the /16 covers");
	ok(conf_v2_match_addr(&c, ip("10.1.2.9")) == net24,
	    "the longest mask wins; the first profile of two alike");
	ok(conf_v2_match_addr(&c, ip("10.1.2.3")) == net24b,
	    "a /32 wins over both");
	ok(conf_v2_match_addr(&c, ip("10.2.0.1")) == NULL,
	    "an address no profile covers");
	ok(conf_v2_match_fqdn(&c, "gw.VPN.example.COM") == host,
	    "an exact fqdn, any case, before the domains that hold it");
	ok(conf_v2_match_fqdn(&c, "other.vpn.example.com") == net24,
	    "the longest domain");
	ok(conf_v2_match_fqdn(&c, "a.example.com") == net16 &&
	    conf_v2_match_fqdn(&c, "Example.com") == net16,
	    "a name in the domain, and the domain itself");
	ok(conf_v2_match_fqdn(&c, "badexample.com") == NULL &&
	    conf_v2_match_fqdn(&c, "com") == NULL &&
	    conf_v2_match_fqdn(&c, "10.1.2.3") == NULL,
	    "a suffix that is not at a label, a shorter name, no fqdn "
	    "match");
	ok(conf_v2_match_addr(&c, ip("10.1.2.3")) != NULL &&
	    parse("key k\n") == KS_OK &&
	    conf_v2_match_addr(&c, ip("10.1.2.3")) == NULL &&
	    conf_v2_match_fqdn(&c, "gw.vpn.example.com") == NULL &&
	    conf_v2_profile(&c, "HOST") == NULL, "no profiles: no match");
}

int
main(void)
{
	test_full();
	test_defaults();
	test_policy_choice();
	test_proposal_errors();
	test_policy_errors();
	test_profile_lines();
	test_peers();
	test_globals();
	test_blocks();
	test_match();
	return done_testing();
}
