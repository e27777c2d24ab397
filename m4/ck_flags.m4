# ck_flags.m4 -- compiler and linker flag checks for cryptokey's hardened
# build (in the manner of autoconf-archive's AX_CHECK_COMPILE_FLAG and
# AX_CHECK_LINK_FLAG, written small for this project).
#
# Each flag is tried with -Werror, so that a compiler which only warns
# about a flag it does not know (clang) does not get it.

# CK_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
AC_DEFUN([CK_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([ck_var], [ck_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [ck_var], [
    ck_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#include <string.h>]],
        [[char b[8]; strcpy(b, "x"); return (int)strlen(b);]])],
      [AS_VAR_SET([ck_var], [yes])], [AS_VAR_SET([ck_var], [no])])
    CFLAGS=$ck_save_CFLAGS])
  AS_VAR_IF([ck_var], [yes], [$2], [$3])
  AS_VAR_POPDEF([ck_var])])

# CK_CHECK_LDFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT], [EXTRA-CFLAGS])
AC_DEFUN([CK_CHECK_LDFLAG], [
  AS_VAR_PUSHDEF([ck_var], [ck_cv_ldflag_$1])
  AC_CACHE_CHECK([whether the linker accepts $1], [ck_var], [
    ck_save_CFLAGS=$CFLAGS
    ck_save_LDFLAGS=$LDFLAGS
    CFLAGS="$CFLAGS -Werror $4"
    LDFLAGS="$LDFLAGS -Werror $1"
    AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <stdio.h>]],
        [[puts("x"); return 0;]])],
      [AS_VAR_SET([ck_var], [yes])], [AS_VAR_SET([ck_var], [no])])
    CFLAGS=$ck_save_CFLAGS
    LDFLAGS=$ck_save_LDFLAGS])
  AS_VAR_IF([ck_var], [yes], [$2], [$3])
  AS_VAR_POPDEF([ck_var])])

# CK_HARDENING: HARDEN_CFLAGS (every object), HARDEN_LDFLAGS (every link)
# and HARDEN_PIE_LDFLAGS (installed programs only: -pie and -shared do not
# mix).  Besides _FORTIFY_SOURCE, the stack protector, PIE and -z relro
# -z now: stack clash protection and, on x86, control-flow protection
# (hardening-check asks for both).  _FORTIFY_SOURCE only when the
# configured CFLAGS optimise (it does nothing without, and glibc warns)
# and not under the sanitizers (their
# interceptors and the fortified functions check the same calls twice,
# and the fortified ones hide what AddressSanitizer would report).
AC_DEFUN([CK_HARDENING], [
  AC_ARG_ENABLE([hardening],
    [AS_HELP_STRING([--disable-hardening],
      [no _FORTIFY_SOURCE, stack protectors, PIE or -z relro/now])],
    [], [enable_hardening=yes])
  HARDEN_CFLAGS=
  HARDEN_LDFLAGS=
  HARDEN_PIE_LDFLAGS=
  AS_IF([test "x$enable_hardening" != xno], [
    AC_CACHE_CHECK([whether CFLAGS optimise], [ck_cv_optimise], [
      AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[
#ifndef __OPTIMIZE__
#error not optimising
#endif
]], [])], [ck_cv_optimise=yes], [ck_cv_optimise=no])])
    AS_CASE([" $CFLAGS $CPPFLAGS $LDFLAGS "],
      [*-fsanitize=*], [ck_sanitize=yes], [ck_sanitize=no])
    AS_IF([test "x$ck_cv_optimise" = xyes && test "x$ck_sanitize" = xno],
      [CK_CHECK_CFLAG([-D_FORTIFY_SOURCE=2],
        [HARDEN_CFLAGS="$HARDEN_CFLAGS -D_FORTIFY_SOURCE=2"])])
    CK_CHECK_CFLAG([-fstack-protector-strong],
      [HARDEN_CFLAGS="$HARDEN_CFLAGS -fstack-protector-strong"],
      [CK_CHECK_CFLAG([-fstack-protector],
        [HARDEN_CFLAGS="$HARDEN_CFLAGS -fstack-protector"])])
    CK_CHECK_CFLAG([-fstack-clash-protection],
      [HARDEN_CFLAGS="$HARDEN_CFLAGS -fstack-clash-protection"])
    CK_CHECK_CFLAG([-fcf-protection],
      [HARDEN_CFLAGS="$HARDEN_CFLAGS -fcf-protection"])
    CK_CHECK_CFLAG([-fPIE], [
      CK_CHECK_LDFLAG([-pie], [
        HARDEN_CFLAGS="$HARDEN_CFLAGS -fPIE"
        HARDEN_PIE_LDFLAGS="-pie"], [], [-fPIE])])
    CK_CHECK_LDFLAG([-Wl,-z,relro],
      [HARDEN_LDFLAGS="$HARDEN_LDFLAGS -Wl,-z,relro"])
    CK_CHECK_LDFLAG([-Wl,-z,now],
      [HARDEN_LDFLAGS="$HARDEN_LDFLAGS -Wl,-z,now"])])
  AC_SUBST([HARDEN_CFLAGS])
  AC_SUBST([HARDEN_LDFLAGS])
  AC_SUBST([HARDEN_PIE_LDFLAGS])])
