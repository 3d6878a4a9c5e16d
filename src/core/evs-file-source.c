/* evs-file-source.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "evs-file-source"

#include "config.h"

#include "evs-file-source.h"
#include "evs-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _EvsFileSource
{
  char    *path;
  int      fd;
  guint64  size;
  guint8  *buffer;
  gsize    buffer_size;
  gsize    start;        /* first unconsumed byte in buffer */
  gsize    end;          /* one past the last valid byte */
  guint64  buffer_offset; /* file offset of buffer[0] */
  gsize    read_size;    /* how far a refill fills the buffer (0: all of it) */
  gboolean eof;          /* the file was read to its end */
};

EvsFileSource *
evs_file_source_open (const char  *path,
                      GError     **error)
{
  g_autoptr(EvsFileSource) self = NULL;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot open “%s”: %s", path, g_strerror (errsv));
      return NULL;
    }

  if (fstat (fd, &st) != 0)
    {
      int errsv = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot stat “%s”: %s", path, g_strerror (errsv));
      return NULL;
    }

  if (S_ISDIR (st.st_mode))
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   "“%s” is a folder, not a recording", path);
      return NULL;
    }

#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif

  self = g_new0 (EvsFileSource, 1);
  self->path = g_strdup (path);
  self->fd = fd;
  self->size = (guint64) st.st_size;
  self->buffer_size = EVS_FILE_SOURCE_DEFAULT_BUFFER;
  self->buffer = g_aligned_alloc (self->buffer_size, 1, 4096);

  return g_steal_pointer (&self);
}

void
evs_file_source_free (EvsFileSource *self)
{
  if (self == NULL)
    return;

  if (self->fd >= 0)
    close (self->fd);
  g_aligned_free (self->buffer);
  g_free (self->path);
  g_free (self);
}

guint64
evs_file_source_get_size (EvsFileSource *self)
{
  return self->size;
}

const char *
evs_file_source_get_path (EvsFileSource *self)
{
  return self->path;
}

/**
 * evs_file_source_seek:
 *
 * Drops the buffer and continues reading at @offset.
 */
gboolean
evs_file_source_seek (EvsFileSource  *self,
                      guint64         offset,
                      GError        **error)
{
  if (offset > self->size)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Cannot seek to byte %" G_GUINT64_FORMAT " of “%s”, which has %"
                   G_GUINT64_FORMAT " bytes", offset, self->path, self->size);
      return FALSE;
    }

  /* Stay in the buffer when the target is already there. */
  if (offset >= self->buffer_offset && offset <= self->buffer_offset + self->end)
    {
      self->start = offset - self->buffer_offset;
      return TRUE;
    }

  self->buffer_offset = offset;
  self->start = 0;
  self->end = 0;
  self->eof = FALSE;

  return TRUE;
}

/**
 * evs_file_source_fill:
 * @min_bytes: how many unconsumed bytes the caller wants buffered
 *
 * Reads until at least @min_bytes are buffered or the file ends.  Partial
 * data at the end of the file is not an error here: check with peek.
 */
gboolean
evs_file_source_fill (EvsFileSource  *self,
                      gsize           min_bytes,
                      GError        **error)
{
  gsize avail = self->end - self->start;
  gsize limit;

  if (avail >= min_bytes || self->eof)
    return TRUE;

  if (min_bytes > self->buffer_size)
    {
      gsize new_size = MAX (min_bytes, self->buffer_size * 2);
      guint8 *buffer = g_aligned_alloc (new_size, 1, 4096);

      memcpy (buffer, self->buffer + self->start, avail);
      g_aligned_free (self->buffer);
      self->buffer = buffer;
      self->buffer_size = new_size;
      self->buffer_offset += self->start;
      self->start = 0;
      self->end = avail;
    }
  else if (self->start > 0)
    {
      memmove (self->buffer, self->buffer + self->start, avail);
      self->buffer_offset += self->start;
      self->start = 0;
      self->end = avail;
    }

  limit = self->read_size > 0 ? MIN (self->buffer_size, MAX (self->read_size, min_bytes))
                              : self->buffer_size;
  while (self->end < min_bytes || self->end < limit)
    {
      guint64 at = self->buffer_offset + self->end;
      ssize_t r;

      r = pread (self->fd, self->buffer + self->end, limit - self->end, (off_t) at);
      if (r < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "Cannot read “%s” at byte %" G_GUINT64_FORMAT ": %s",
                       self->path, at, g_strerror (errsv));
          return FALSE;
        }
      if (r == 0)
        {
          self->eof = TRUE;
          break;
        }
      self->end += (gsize) r;

      /* One large read is enough once the caller's minimum is met. */
      if (self->end >= min_bytes)
        break;
    }

  return TRUE;
}

/**
 * evs_file_source_set_read_size:
 * @read_size: bytes, or 0 to fill the whole buffer
 *
 * Makes each refill read about @read_size bytes (at least what the caller
 * asks for) rather than fill the whole buffer: a decoder that goes through
 * its bytes quickly then finds them still in the CPU's caches.
 */
void
evs_file_source_set_read_size (EvsFileSource *self,
                               gsize          read_size)
{
  g_return_if_fail (self != NULL);

  self->read_size = read_size;
}

const guint8 *
evs_file_source_peek (EvsFileSource *self,
                      gsize         *n_available)
{
  *n_available = self->end - self->start;
  return self->buffer + self->start;
}

void
evs_file_source_consume (EvsFileSource *self,
                         gsize          n_bytes)
{
  g_assert (n_bytes <= self->end - self->start);
  self->start += n_bytes;
}

/**
 * evs_file_source_tell:
 *
 * Returns: the file offset of the first unconsumed byte
 */
guint64
evs_file_source_tell (EvsFileSource *self)
{
  return self->buffer_offset + self->start;
}

/**
 * evs_file_source_at_eof:
 *
 * Returns: %TRUE when every byte of the file has been consumed
 */
gboolean
evs_file_source_at_eof (EvsFileSource *self)
{
  return evs_file_source_tell (self) >= self->size && self->start == self->end;
}

/**
 * evs_file_source_pread:
 *
 * Reads at an absolute offset without touching the stream position.
 *
 * Returns: bytes read (fewer at the end of the file), or -1 on error
 */
gssize
evs_file_source_pread (EvsFileSource  *self,
                       void           *buffer,
                       gsize           n_bytes,
                       guint64         offset,
                       GError        **error)
{
  gsize done = 0;

  while (done < n_bytes)
    {
      ssize_t r = pread (self->fd, (guint8 *) buffer + done, n_bytes - done,
                         (off_t) (offset + done));

      if (r < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "Cannot read “%s” at byte %" G_GUINT64_FORMAT ": %s",
                       self->path, offset + done, g_strerror (errsv));
          return -1;
        }
      if (r == 0)
        break;
      done += (gsize) r;
    }

  return (gssize) done;
}
