divert(-1)
#
# MAILER(`procmail') - the procmail mailer(s); cf/m4/mailers.m4 writes the M lines.
#
define(`_CF_LOADED_', `1')dnl
