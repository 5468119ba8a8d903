divert(-1)
#
# FEATURE(`local_mbox') - ours, not sendmail's: local mail goes into
# mailboxes in MailSpoolDirectory (confMAIL_SPOOL_DIR, /var/mail) through
# sendmaild's own delivery, whatever OSTYPE chose:
#	Mlocal, P=[MBOX], F=lsDFMAw5:/|@qPn9, ..., A=mail -d $u
# It sets the LOCAL_MAILER_ variables now, like local_procmail.
#
define(`_CF_LOADED_', `1')dnl
define(`LOCAL_MAILER_PATH', `[MBOX]')
define(`LOCAL_MAILER_ARGS', `mail -d $u')
define(`LOCAL_MAILER_FLAGS', `Pn9')
undefine(`_LOCAL_LMTP_')
undefine(`LOCAL_MAILER_DSN_DIAGNOSTIC_CODE')
