/* seal.c: sealing and opening secrets under the key file beside the store. It never writes a
 * secret or the key anywhere but the key file, and wipes what it decoded. */
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PLAIN_MAX 4000

/* Reads the key of the store, making it (0600, O_EXCL so two processes cannot both) if absent. */
static int load_key(const char *store_path, unsigned char key[crypto_secretbox_KEYBYTES], cv_err *e)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s.key", store_path) >= (int)sizeof path)
        return cv_err_set(e, CV_ELIMIT, "the store's path is too long");
    if (sodium_init() < 0)
        return cv_err_set(e, CV_ENOMEM, "libsodium could not start");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        crypto_secretbox_keygen(key);
        ssize_t n = write(fd, key, crypto_secretbox_KEYBYTES);
        int closed = close(fd);
        if (n != crypto_secretbox_KEYBYTES || closed < 0)
            return cv_err_set(e, CV_EIO, "cannot write %s", path);
        return 0;
    }
    if (errno != EEXIST || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return cv_err_set(e, CV_EIO, "cannot open the key file %s: %s", path, strerror(errno));
    ssize_t n = read(fd, key, crypto_secretbox_KEYBYTES);
    close(fd);
    if (n != crypto_secretbox_KEYBYTES)
        return cv_err_set(e, CV_EIO, "the key file %s is damaged", path);
    return 0;
}

int cv_seal(const char *store_path, const char *plain, char *out, size_t cap, cv_err *e)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PLAIN_MAX];
    size_t n = strlen(plain);
    if (n > PLAIN_MAX)
        return cv_err_set(e, CV_ELIMIT, "a secret is longer than %d bytes", PLAIN_MAX);
    size_t boxed = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    size_t need = strlen(CV_SEAL_PREFIX) +
                  sodium_base64_ENCODED_LEN(boxed, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (need > cap)
        return cv_err_set(e, CV_ELIMIT, "a sealed secret does not fit");
    if (load_key(store_path, key, e) < 0)
        return e->code;
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n, box,
                          key);
    sodium_memzero(key, sizeof key);
    strcpy(out, CV_SEAL_PREFIX);
    sodium_bin2base64(out + strlen(CV_SEAL_PREFIX), cap - strlen(CV_SEAL_PREFIX), box, boxed,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

int cv_unseal(const char *store_path, const char *text, char *out, size_t cap, cv_err *e)
{
    size_t plen = strlen(CV_SEAL_PREFIX);
    if (strncmp(text, CV_SEAL_PREFIX, plen) != 0) {
        if (strlen(text) >= cap)
            return cv_err_set(e, CV_ELIMIT, "a secret does not fit");
        strcpy(out, text);
        return 0;
    }
    unsigned char key[crypto_secretbox_KEYBYTES];
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PLAIN_MAX];
    size_t boxed = 0;
    if (sodium_base642bin(box, sizeof box, text + plen, strlen(text + plen), NULL, &boxed, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        boxed < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return cv_err_set(e, CV_ECONFLICT, "a sealed secret is damaged");
    size_t n = boxed - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    if (n >= cap)
        return cv_err_set(e, CV_ELIMIT, "a secret does not fit");
    if (load_key(store_path, key, e) < 0)
        return e->code;
    int rc = crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
                                        boxed - crypto_secretbox_NONCEBYTES, box, key);
    sodium_memzero(key, sizeof key);
    if (rc != 0)
        return cv_err_set(e, CV_ECONFLICT,
                          "a sealed secret cannot be opened: the key file beside the store is "
                          "not the one it was sealed with");
    out[n] = '\0';
    return 0;
}
