divert(-1)
#
# FEATURE(`local_mbox') - ours, not sendmail's: local mail goes into
# mailboxes in MailSpoolDirectory (confMAIL_SPOOL_DIR, /var/mail) through
# sendmaild's own delivery, whatever OSTYPE chose:
#	Mlocal, P=[MBOX], F=lsDFMAw5:/|@qPn9, ..., A=mail -d $u
#
define(`_CF_LOADED_', `1')dnl
undefine(`_LOCAL_PROCMAIL_')
undefine(`_LOCAL_LMTP_')
define(`_LOCAL_MBOX_', `1')
