divert(-1)
#
# OSTYPE(`linux') - Linux paths; local delivery through procmail.
#
define(`_CF_LOADED_', `1')dnl
define(`confEBINDIR', `/usr/sbin')
ifdef(`PROCMAIL_MAILER_PATH', `', `define(`PROCMAIL_MAILER_PATH', `/usr/bin/procmail')')
FEATURE(`local_procmail', `', `procmail -a $h -d $u')
