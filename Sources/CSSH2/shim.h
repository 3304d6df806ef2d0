#ifndef CSSH2_SHIM_H
#define CSSH2_SHIM_H

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <libssh2_publickey.h>
#include <string.h>

// Inline wrappers for libssh2's function-like macros, which Swift does not import.
// Lengths are UTF-8 byte counts (strlen), never Swift character counts.

static inline LIBSSH2_SESSION *cssh2_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

static inline int cssh2_session_disconnect(LIBSSH2_SESSION *s, const char *why) {
    return libssh2_session_disconnect_ex(s, SSH_DISCONNECT_BY_APPLICATION, why, "");
}

static inline LIBSSH2_CHANNEL *cssh2_channel_open_session(LIBSSH2_SESSION *s) {
    return libssh2_channel_open_ex(s, "session", sizeof("session") - 1,
        LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}

static inline int cssh2_channel_exec(LIBSSH2_CHANNEL *c, const char *cmd) {
    return libssh2_channel_process_startup(c, "exec", sizeof("exec") - 1, cmd, (unsigned int)strlen(cmd));
}

static inline int cssh2_channel_subsystem(LIBSSH2_CHANNEL *c, const char *name) {
    return libssh2_channel_process_startup(c, "subsystem", sizeof("subsystem") - 1, name, (unsigned int)strlen(name));
}

static inline ssize_t cssh2_channel_read(LIBSSH2_CHANNEL *c, char *buf, size_t len) {
    return libssh2_channel_read_ex(c, 0, buf, len);
}

static inline ssize_t cssh2_channel_read_stderr(LIBSSH2_CHANNEL *c, char *buf, size_t len) {
    return libssh2_channel_read_ex(c, SSH_EXTENDED_DATA_STDERR, buf, len);
}

static inline ssize_t cssh2_channel_write(LIBSSH2_CHANNEL *c, const char *buf, size_t len) {
    return libssh2_channel_write_ex(c, 0, buf, len);
}

static inline int cssh2_channel_send_eof(LIBSSH2_CHANNEL *c) {
    return libssh2_channel_send_eof(c);
}

static inline int cssh2_userauth_publickey_fromfile(LIBSSH2_SESSION *s, const char *user,
        const char *pub, const char *priv, const char *pass) {
    return libssh2_userauth_publickey_fromfile_ex(s, user, (unsigned int)strlen(user), pub, priv, pass);
}

static inline LIBSSH2_SFTP_HANDLE *cssh2_sftp_open(LIBSSH2_SFTP *s, const char *p,
        unsigned long flags, long mode) {
    return libssh2_sftp_open_ex(s, p, (unsigned int)strlen(p), flags, mode, LIBSSH2_SFTP_OPENFILE);
}

static inline LIBSSH2_SFTP_HANDLE *cssh2_sftp_opendir(LIBSSH2_SFTP *s, const char *p) {
    return libssh2_sftp_open_ex(s, p, (unsigned int)strlen(p), 0, 0, LIBSSH2_SFTP_OPENDIR);
}

static inline int cssh2_sftp_close(LIBSSH2_SFTP_HANDLE *h) {
    return libssh2_sftp_close_handle(h);
}

static inline int cssh2_sftp_rename(LIBSSH2_SFTP *s, const char *from, const char *to) {
    return libssh2_sftp_rename_ex(s, from, (unsigned int)strlen(from), to, (unsigned int)strlen(to),
        LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE);
}

static inline int cssh2_sftp_unlink(LIBSSH2_SFTP *s, const char *p) {
    return libssh2_sftp_unlink_ex(s, p, (unsigned int)strlen(p));
}

static inline int cssh2_sftp_mkdir(LIBSSH2_SFTP *s, const char *p, long mode) {
    return libssh2_sftp_mkdir_ex(s, p, (unsigned int)strlen(p), mode);
}

static inline int cssh2_sftp_rmdir(LIBSSH2_SFTP *s, const char *p) {
    return libssh2_sftp_rmdir_ex(s, p, (unsigned int)strlen(p));
}

static inline int cssh2_sftp_stat(LIBSSH2_SFTP *s, const char *p, int type, LIBSSH2_SFTP_ATTRIBUTES *a) {
    return libssh2_sftp_stat_ex(s, p, (unsigned int)strlen(p), type, a);
}

static inline int cssh2_sftp_symlink(LIBSSH2_SFTP *s, const char *p, char *target, unsigned int tlen, int type) {
    return libssh2_sftp_symlink_ex(s, p, (unsigned int)strlen(p), target, tlen, type);
}

static inline int cssh2_sftp_fsync(LIBSSH2_SFTP_HANDLE *h) {
    return libssh2_sftp_fsync(h);
}

static inline int cssh2_hostkey_method_pref(LIBSSH2_SESSION *s, const char *prefs) {
    return libssh2_session_method_pref(s, LIBSSH2_METHOD_HOSTKEY, prefs);
}

// libcrypto's accessor for a cipher context's app data (OpenSSL 1.1 and 3), called directly on the per-call
// path of LibSSH2Keystream. Declared alone, with `void` for the context type: <openssl/evp.h> would also
// declare the functions LibSSH2Keystream defines under OpenSSL's names.
void *EVP_CIPHER_CTX_get_app_data(const void *ctx);

#endif
