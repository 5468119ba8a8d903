divert(-1)
#
# OSTYPE(`debian') - Debian: as linux, with the paths and settings of
# Debian's sendmail packages (so a Debian sendmail.mc pointed at this
# tree gives the options it gave with Debian's): the state under
# /var/lib/sendmail, the pid file under /run/sendmail/mta, the class
# files in /etc/mail, mail:mail as DefaultUser, Debian's greeting.
#
define(`_CF_LOADED_', `1')dnl
include(_CF_DIR_`ostype/linux.m4')
ifdef(`MAIL_SETTINGS_DIR', `', `define(`MAIL_SETTINGS_DIR', `/etc/mail/')')
ifdef(`confPID_FILE', `', `define(`confPID_FILE', `/var/run/sendmail/mta/sendmail.pid')')
define(`confSMTP_LOGIN_MSG', `$j Sendmail $v/$Z; $b; (No UCE/UBE) $?{client_addr}logging access from: ${client_name}(${client_resolve})-$_$.')
define(`confDEAD_LETTER_DROP', `/var/lib/sendmail/dead.letter')
define(`STATUS_FILE', `/var/lib/sendmail/sendmail.st')
define(`confHOST_STATUS_DIRECTORY', `/var/lib/sendmail/host_status')
define(`confCW_FILE', MAIL_SETTINGS_DIR`local-host-names %[^\#]')
define(`confCT_FILE', MAIL_SETTINGS_DIR`trusted-users %[^\#]')
define(`confEBINDIR', `/usr/libexec/sendmail')
define(`confME_TOO', `True')
define(`confDEF_USER_ID', `mail:mail')
define(`confREJECT_NUL', `True')
define(`confBIND_OPTS', `+WorkAroundBrokenAAAA')
