/*
 * sandbox.c -- what each of ikesignd's processes may do.
 *
 * Every process: no core dumps (sandbox_nocore).  The network process,
 * which parses packets, after its sockets are open: an unprivileged user
 * with no supplementary groups and no capabilities, no new privileges,
 * and a seccomp allow-list of the system calls its loop makes
 * (sandbox_enter, sandbox_filter).  The filter keeps it off the file
 * system: every call that opens, stats or probes a path fails, and it may
 * make IPv4 sockets only, so none to reach a Unix socket by its path.
 * Everything it would otherwise read from the file system later (users,
 * groups, time zone, OpenSSL's configuration, providers and algorithms)
 * is read before; its log goes through the parent (logrelay.c).  A chroot
 * directory, when the configuration names one, is entered too.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <seccomp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ikesignd.h"
#include "ikev2.h"

#define FALLBACK_USER	"nobody"

/* No core file and no ptrace by other users: this process holds secrets. */
void
sandbox_nocore(void)
{
	struct rlimit rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* The network process's user; NAME missing means "nobody", with a warning. */
static int
find_user(const char *name, struct sandbox *sb, char *err, size_t errsz)
{
	struct passwd *pw;

	if ((pw = getpwnam(name)) == NULL) {
		if ((pw = getpwnam(FALLBACK_USER)) == NULL) {
			snprintf(err, errsz, "user %s does not exist, nor %s; "
			    "create %s or set 'user' in the configuration",
			    name, FALLBACK_USER, name);
			return -1;
		}
		log_warnx("user %s does not exist; the network process runs "
		    "as %s (create %s, or set 'user')", name, FALLBACK_USER,
		    name);
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errsz, "user %s is root; the network process "
		    "must run unprivileged", pw->pw_name);
		return -1;
	}
	sb->uid = pw->pw_uid;
	sb->gid = pw->pw_gid;
	snprintf(sb->user, sizeof(sb->user), "%s", pw->pw_name);
	return 0;
}

/* control-group: its gid and the uids of its members, read now. */
static int
find_group(const char *name, struct sandbox *sb, char *err, size_t errsz)
{
	struct passwd *pw;
	struct group *gr;
	size_t i;

	sb->have_group = 0;
	sb->nmembers = 0;
	if (name[0] == '\0')
		return 0;
	if ((gr = getgrnam(name)) == NULL) {
		snprintf(err, errsz, "control-group %s does not exist", name);
		return -1;
	}
	sb->group = gr->gr_gid;
	sb->have_group = 1;
	for (i = 0; gr->gr_mem[i] != NULL; i++) {
		if (sb->nmembers == SANDBOX_MEMBERS_MAX) {
			log_warnx("control-group %s: only the first %d members "
			    "are admitted by name", name, SANDBOX_MEMBERS_MAX);
			break;
		}
		if ((pw = getpwnam(gr->gr_mem[i])) != NULL)
			sb->members[sb->nmembers++] = pw->pw_uid;
	}
	return 0;
}

/* The chroot, when one is set: made root-owned 0755 when missing;
 * refused when others could write to it. */
static int
check_chroot(const char *dir, char *err, size_t errsz)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		if (errno != ENOENT || mkdir(dir, 0755) != 0 ||
		    chown(dir, 0, 0) != 0 || chmod(dir, 0755) != 0 ||
		    lstat(dir, &st) != 0) {
			snprintf(err, errsz, "chroot %s: %s", dir,
			    strerror(errno));
			return -1;
		}
		log_info("created the empty chroot directory %s", dir);
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errsz, "chroot %s is not a directory", dir);
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errsz, "chroot %s must be owned by root and "
		    "writable by nobody else (chown root %s; chmod 755 %s)",
		    dir, dir, dir);
		return -1;
	}
	return 0;
}

/* In the privileged parent, before the network process forks. */
int
sandbox_prepare(const struct conf *c, struct sandbox *sb, char *err,
    size_t errsz)
{
	memset(sb, 0, sizeof(*sb));
	sb->root = geteuid() == 0;
	if (find_group(c->control_group, sb, err, errsz) != 0)
		return -1;
	if (!sb->root) {
		log_warnx("not started as root: the network process keeps uid "
		    "%ld%s", (long)geteuid(), c->chroot_dir[0] != '\0' ?
		    " and gets no chroot" : "");
		return 0;
	}
	if (find_user(c->user, sb, err, errsz) != 0)
		return -1;
	if (c->chroot_dir[0] == '\0')
		return 0;
	if (check_chroot(c->chroot_dir, err, errsz) != 0)
		return -1;
	snprintf(sb->dir, sizeof(sb->dir), "%s", c->chroot_dir);
	return 0;
}

/* Fetch every algorithm now: providers and configuration are files. */
static int
crypto_preload(void)
{
	static const int hashes[] = { IKE_HASH_MD5, IKE_HASH_SHA,
	    IKE_HASH_SHA256, IKE_HASH_SHA384, IKE_HASH_SHA512 };
	static const int groups[] = { 14, 19, 31 };
	static const char *const v2ciphers[] = { "aes-cbc-128", "aes-cbc-192",
	    "aes-cbc-256", "aes-gcm-128", "aes-gcm-256", "3des" };
	uint8_t buf[DH_PUB_MAX], out[IKE_HASH_MAX];
	struct iov iov = { buf, 16 };
	EVP_PKEY *key;
	size_t i;

	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG |
	    OPENSSL_INIT_ADD_ALL_CIPHERS | OPENSSL_INIT_ADD_ALL_DIGESTS,
	    NULL) != 1 || RAND_bytes(buf, 16) != 1)
		return -1;
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (alg_md(alg_hash(hashes[i])) == NULL ||
		    crypto_prf(alg_hash(hashes[i]), buf, 16, &iov, 1,
		    out) != 0)
			return -1;
	(void)alg_cipher(alg_enc(IKE_ENC_DES, 0));	/* legacy, if any */
	if (alg_cipher(alg_enc(IKE_ENC_3DES, 0)) == NULL ||
	    alg_cipher(alg_enc(IKE_ENC_AES, 128)) == NULL ||
	    alg_cipher(alg_enc(IKE_ENC_AES, 192)) == NULL ||
	    alg_cipher(alg_enc(IKE_ENC_AES, 256)) == NULL)
		return -1;
	for (i = 0; i < sizeof(v2ciphers) / sizeof(v2ciphers[0]); i++)
		if (ikev2_cipher(ikev2_encr_ios(v2ciphers[i])) == NULL)
			return -1;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		key = NULL;
		if (dh_create(dh_group_get(groups[i]), &key, buf) != 0)
			return -1;
		EVP_PKEY_free(key);
	}
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}

/* All capabilities out of the bounding set (needs CAP_SETPCAP: root). */
static void
drop_bounding(void)
{
	int cap;

	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
		    errno == EINVAL)
			break;
}

static int
drop_user(const struct sandbox *sb, char *err, size_t errsz)
{
	if (sb->dir[0] != '\0' && (chroot(sb->dir) != 0 || chdir("/") != 0)) {
		snprintf(err, errsz, "chroot %s: %s", sb->dir,
		    strerror(errno));
		return -1;
	}
	drop_bounding();
	if (setgroups(1, &sb->gid) != 0 ||
	    setresgid(sb->gid, sb->gid, sb->gid) != 0 ||
	    setresuid(sb->uid, sb->uid, sb->uid) != 0) {
		snprintf(err, errsz, "cannot become user %s: %s", sb->user,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || geteuid() != sb->uid) {
		snprintf(err, errsz, "could regain root after dropping it");
		return -1;
	}
	return 0;
}

/* The system calls the network process makes after sandbox_enter. */
static const char *const allowed[] = {
	"read", "readv", "pread64", "write", "writev", "close", "lseek",
	"fstat", "fcntl",
	"poll", "ppoll", "recvmsg", "recvfrom", "sendmsg", "sendto",
	"accept4", "accept", "connect", "getsockname",
	"getsockopt", "setsockopt",
	"brk", "mmap", "munmap", "mremap", "madvise", "mprotect", "futex",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday",
	"time", "getpid", "gettid", "getppid", "getrandom", "getuid",
	"geteuid", "getgid", "getegid",
	"rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "restart_syscall",
	"tgkill", "exit", "exit_group", "sched_yield",
};

/*
 * Calls that get an error instead of the kill, since libraries make them
 * and cope with the failure: the file system is closed, EACCES for every
 * open, stat and access by path (newfstatat and statx too, which the C
 * library's fstat uses: the process learns nothing of a path, and keeps
 * lseek for the size of a descriptor); a terminal check is harmless.
 * socket() is allowed for AF_INET only (socket_rules).
 */
static const struct {
	const char	*name;
	int		 err;
} refused[] = {
	{ "open", EACCES }, { "openat", EACCES }, { "stat", EACCES },
	{ "lstat", EACCES }, { "newfstatat", EACCES }, { "statx", EACCES },
	{ "access", EACCES }, { "faccessat", EACCES },
	{ "faccessat2", EACCES }, { "ioctl", ENOTTY },
};

/*
 * A system call outside the lists kills the process (the parent logs the
 * SIGSYS; the kernel's audit log, dmesg, names the call).  Under the
 * sanitizers the default action is only to log (SCMP_ACT_LOG): their
 * runtime makes calls of its own at unpredictable points (reports,
 * symbolizer, shadow memory), and a kill would hide the report it is
 * writing; the plain build, which the suite runs too, enforces the list.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SANDBOX_DEFAULT	SCMP_ACT_LOG
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SANDBOX_DEFAULT	SCMP_ACT_LOG
#endif
#endif
#ifndef SANDBOX_DEFAULT
#define SANDBOX_DEFAULT	SCMP_ACT_KILL_PROCESS
#endif

/* 1 when a call outside the lists kills, 0 when it is only logged. */
int
sandbox_kills(void)
{
	return SANDBOX_DEFAULT == SCMP_ACT_KILL_PROCESS;
}

/*
 * socket(): IPv4 (the UDP socket net_local_for connects) and nothing
 * else, with EACCES rather than the kill, as for paths: a library that
 * tries one copes with the failure.  A Unix socket would reach any path
 * the user may write to.
 */
static int
socket_rules(scmp_filter_ctx f)
{
	if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_EQ, AF_INET)) != 0 ||
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_NE, AF_INET)) != 0)
		return -1;
	return 0;
}

/* The network process's filter; sandbox_enter's last step. */
int
sandbox_filter(char *err, size_t errsz)
{
	scmp_filter_ctx f;
	size_t i;
	int nr, rc = -1;

	if ((f = seccomp_init(SANDBOX_DEFAULT)) == NULL) {
		snprintf(err, errsz, "seccomp_init failed");
		return -1;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if ((nr = seccomp_syscall_resolve_name(allowed[i])) ==
		    __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		if (seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0) != 0)
			goto out;
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if ((nr = seccomp_syscall_resolve_name(refused[i].name)) ==
		    __NR_SCMP_ERROR)
			continue;
		if (seccomp_rule_add(f, SCMP_ACT_ERRNO(refused[i].err), nr,
		    0) != 0)
			goto out;
	}
	if (socket_rules(f) == 0 && seccomp_load(f) == 0)
		rc = 0;
out:
	if (rc != 0)
		snprintf(err, errsz, "cannot install the seccomp filter");
	seccomp_release(f);
	return rc;
}

/* In the network process, once its sockets are open. */
int
sandbox_enter(const struct sandbox *sb, char *err, size_t errsz)
{
	tzset();
	if (crypto_preload() != 0) {
		snprintf(err, errsz, "cannot load OpenSSL's algorithms");
		return -1;
	}
	if (sb->root && drop_user(sb, err, errsz) != 0)
		return -1;
	/* cleared by the change of user: set again */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errsz, "prctl: %s", strerror(errno));
		return -1;
	}
	sandbox_nocore();
	if (getppid() == 1) {
		snprintf(err, errsz, "the parent went away");
		return -1;
	}
	return sandbox_filter(err, errsz);
}
