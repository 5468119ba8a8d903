divert(-1)
#
# MAILER(`cyrusv2') - an LMTP server over a unix socket, as Cyrus IMAP
# (version 2 and later) or Dovecot listen on; cf/m4/mailers.m4 writes
# its M line:
#	Mcyrusv2, P=[IPC], F=lsDFMnqXzA@/:|m, S=EnvFromSMTP/HdrFromL,
#		R=EnvToL/HdrToL, E=\r\n, T=DNS/RFC822/SMTP,
#		A=FILE /var/run/cyrus/socket/lmtp
# CYRUSV2_MAILER_ARGS ("FILE /path" or "TCP $h port") and
# CYRUSV2_MAILER_FLAGS (added to lsDFMnqXz, default A@/:|m) change it;
# mail reaches it through mailertable ("domain cyrusv2:host").
#
define(`_CF_LOADED_', `1')dnl
