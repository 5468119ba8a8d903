divert(-1)
#
# OSTYPE(`debian') - Debian: as linux, with Debian's pid file.
#
define(`_CF_LOADED_', `1')dnl
include(_CF_DIR_`ostype/linux.m4')
ifdef(`confPID_FILE', `', `define(`confPID_FILE', `/run/sendmail/mta/sendmail.pid')')
