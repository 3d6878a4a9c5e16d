/* evs-writer.c
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

#define G_LOG_DOMAIN "evs-writer"

#include "config.h"

#include "evs-writer.h"
#include "evs-error.h"
#include "evs-writer-private.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  EvsFormat          format;
  char              *path;
  char              *temp_path;
  GOutputStream     *stream;
  int                fd;
  EvsRecordingInfo  *info;
  GStrv              comments;
  guint64            n_events;
  guint64            written;     /* bytes handed to the stream */
  guint64            flushing;    /* writeback started up to here */
  const EvsChunkFacts *facts;     /* of the chunk being written */
  guint              begun : 1;
  guint              finished : 1;
  guint              failed : 1;
} EvsWriterPrivate;

enum {
  PROP_0,
  PROP_FORMAT,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define WRITEBACK_STEP (16 * 1024 * 1024)
#define DIRECT_WRITE_MIN (64 * 1024)

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (EvsWriter, evs_writer, G_TYPE_OBJECT)

static void
remove_temp (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  if (priv->stream != NULL)
    {
      g_output_stream_clear_pending (priv->stream);
      g_output_stream_close (priv->stream, NULL, NULL);
      g_clear_object (&priv->stream);
      priv->fd = -1;
    }
  else if (priv->fd >= 0)
    {
      close (priv->fd);
      priv->fd = -1;
    }

  if (priv->temp_path != NULL)
    {
      g_unlink (priv->temp_path);
      g_clear_pointer (&priv->temp_path, g_free);
    }
}

static void
evs_writer_dispose (GObject *object)
{
  EvsWriter *self = (EvsWriter *) object;

  evs_writer_abort (self);

  G_OBJECT_CLASS (evs_writer_parent_class)->dispose (object);
}

static void
evs_writer_finalize (GObject *object)
{
  EvsWriter *self = (EvsWriter *) object;
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  g_clear_pointer (&priv->path, g_free);
  g_clear_pointer (&priv->info, evs_recording_info_free);
  g_clear_pointer (&priv->comments, g_strfreev);

  G_OBJECT_CLASS (evs_writer_parent_class)->finalize (object);
}

static void
evs_writer_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  EvsWriter *self = EVS_WRITER (object);
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_FORMAT:
      g_value_set_int (value, priv->format);
      break;

    case PROP_PATH:
      g_value_set_string (value, priv->path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_writer_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  EvsWriter *self = EVS_WRITER (object);
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_FORMAT:
      priv->format = g_value_get_int (value);
      break;

    case PROP_PATH:
      priv->path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_writer_class_init (EvsWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = evs_writer_dispose;
  object_class->finalize = evs_writer_finalize;
  object_class->get_property = evs_writer_get_property;
  object_class->set_property = evs_writer_set_property;

  klass->uses_stream = TRUE;

  properties[PROP_FORMAT] =
    g_param_spec_int ("format", NULL, NULL,
                      0, EVS_N_FORMATS - 1, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_writer_init (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  priv->fd = -1;
}

/**
 * evs_writer_new:
 * @format: a format for which evs_format_can_write() is %TRUE
 * @path: the target file; it is only replaced when writing succeeds
 *
 * Returns: (transfer full): a writer, or %NULL if @format cannot be written
 */
EvsWriter *
evs_writer_new (EvsFormat    format,
                const char  *path,
                GError     **error)
{
  GType type;

  g_return_val_if_fail (path != NULL, NULL);

  switch (format)
    {
    case EVS_FORMAT_EVT2:
    case EVS_FORMAT_EVT21:
    case EVS_FORMAT_EVT3:
      type = EVS_TYPE_RAW_WRITER;
      break;

    case EVS_FORMAT_DAT:
      type = EVS_TYPE_DAT_WRITER;
      break;

    case EVS_FORMAT_CSV:
      type = EVS_TYPE_CSV_WRITER;
      break;

    case EVS_FORMAT_DSEC_HDF5:
    case EVS_FORMAT_PROPHESEE_HDF5:
      type = EVS_TYPE_HDF5_WRITER;
      break;

    case EVS_FORMAT_UNKNOWN:
    case EVS_FORMAT_RVT_HDF5:
    case EVS_FORMAT_EVENT_UTILS_HDF5:
    case EVS_FORMAT_TEXT:
    case EVS_FORMAT_AEDAT4:
    case EVS_N_FORMATS:
    default:
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                   "Evscope cannot write %s files (writable: evt2, evt21, evt3, dat, csv, "
                   "dsec-hdf5, prophesee-hdf5)", evs_format_to_string (format));
      return NULL;
    }

  return g_object_new (type, "format", (int) format, "path", path, NULL);
}

const char *
evs_writer_get_path (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_WRITER (self), NULL);

  return priv->path;
}

EvsFormat
evs_writer_get_format (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_WRITER (self), EVS_FORMAT_UNKNOWN);

  return priv->format;
}

guint64
evs_writer_get_n_events (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_WRITER (self), 0);

  return priv->n_events;
}

GOutputStream *
_evs_writer_get_stream (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  return priv->stream;
}

const char *
_evs_writer_get_temp_path (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  return priv->temp_path;
}

const EvsRecordingInfo *
_evs_writer_get_info (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  return priv->info;
}

const char * const *
_evs_writer_get_comments (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  return (const char * const *) priv->comments;
}

/**
 * _evs_writer_write_bytes:
 *
 * Writes to the buffered stream, turning failures (a full disk…) into an
 * error that names the target.
 */
gboolean
_evs_writer_write_bytes (EvsWriter   *self,
                         const void  *data,
                         gsize        len,
                         GError     **error)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);
  g_autoptr(GError) local_error = NULL;
  GOutputStream *stream = priv->stream;
  gboolean ok = TRUE;

  /* The writers hand over blocks of their own buffers: those go straight to
   * the file, after what the stream holds, rather than through one more copy */
  if (len >= DIRECT_WRITE_MIN)
    {
      ok = g_output_stream_flush (stream, NULL, &local_error);
      stream = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));
    }
  if (ok)
    ok = g_output_stream_write_all (stream, data, len, NULL, NULL, &local_error);

  if (!ok)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot write “%s”: %s",
                   priv->path, local_error->message);
      return FALSE;
    }

  /* Start the writeback of what the kernel holds every WRITEBACK_STEP, so
   * that the disk writes while we compute and the final fsync() has little
   * left to wait for (it alone makes the file durable). */
  priv->written += len;
#if defined (SYNC_FILE_RANGE_WRITE)
  if (priv->fd >= 0 && priv->written - priv->flushing >= 2 * WRITEBACK_STEP)
    {
      /* the last step may still sit in the stream's buffer */
      guint64 end = priv->written - WRITEBACK_STEP;

      sync_file_range (priv->fd, (off_t) priv->flushing, (off_t) (end - priv->flushing),
                       SYNC_FILE_RANGE_WRITE);
      priv->flushing = end;
    }
#endif

  return TRUE;
}

/**
 * evs_writer_begin:
 * @info: the recording's metadata (geometry, header) for the output header
 * @comments: (nullable): provenance entries, each "key value" (for example
 *   "evscope_version 0.1.0", "evscope_source in.raw", "evscope_pipeline {…}"),
 *   written as "% key value" header lines in RAW/DAT, "# key value" lines in
 *   CSV and string attributes in HDF5
 *
 * Creates the temporary file beside the target and writes the header.
 */
gboolean
evs_writer_begin (EvsWriter               *self,
                  const EvsRecordingInfo  *info,
                  const char * const      *comments,
                  GError                 **error)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);
  EvsWriterClass *klass = EVS_WRITER_GET_CLASS (self);
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmpl = NULL;
  int fd;

  g_return_val_if_fail (EVS_IS_WRITER (self), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (!priv->begun, FALSE);

  priv->begun = TRUE;
  priv->info = evs_recording_info_copy (info);
  priv->comments = g_strdupv ((char **) comments);

  if (g_file_test (priv->path, G_FILE_TEST_IS_DIR))
    {
      priv->failed = TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   "Cannot write “%s”: it is a folder", priv->path);
      return FALSE;
    }

  dir = g_path_get_dirname (priv->path);
  base = g_path_get_basename (priv->path);
  tmpl = g_strdup_printf ("%s%c.%s.XXXXXX.part", dir, G_DIR_SEPARATOR, base);

  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;

      priv->failed = TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create a file in “%s” to write “%s”: %s",
                   dir, base, g_strerror (errsv));
      return FALSE;
    }

  priv->temp_path = g_steal_pointer (&tmpl);
  priv->fd = fd;

  if (klass->uses_stream)
    {
      g_autoptr(GOutputStream) raw = g_unix_output_stream_new (fd, TRUE);

      priv->stream = g_buffered_output_stream_new_sized (raw, 1024 * 1024);
    }
  else
    {
      close (fd);
      priv->fd = -1;
    }

  if (klass->begin != NULL && !klass->begin (self, error))
    {
      priv->failed = TRUE;
      remove_temp (self);
      return FALSE;
    }

  return TRUE;
}

gboolean
evs_writer_write (EvsWriter            *self,
                  const EvsEventChunk  *chunk,
                  GError              **error)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_WRITER (self), FALSE);
  g_return_val_if_fail (chunk != NULL, FALSE);
  g_return_val_if_fail (priv->begun && !priv->finished && !priv->failed, FALSE);

  if (chunk->n_events == 0)
    return TRUE;

  if (!EVS_WRITER_GET_CLASS (self)->write (self, chunk, error))
    {
      priv->failed = TRUE;
      remove_temp (self);
      return FALSE;
    }

  priv->n_events += chunk->n_events;

  return TRUE;
}

/*
 * _evs_writer_write_with_facts:
 * @facts: (nullable): what the reader learnt of @chunk (true of any subset)
 *
 * evs_writer_write() for a chunk whose extent and order are already known,
 * so that the writer need not check them event by event.
 */
gboolean
_evs_writer_write_with_facts (EvsWriter            *self,
                              const EvsEventChunk  *chunk,
                              const EvsChunkFacts  *facts,
                              GError              **error)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);
  gboolean ok;

  priv->facts = facts;
  ok = evs_writer_write (self, chunk, error);
  priv->facts = NULL;

  return ok;
}

/* For the write vfunc: the facts of the chunk it got, or %NULL */
const EvsChunkFacts *
_evs_writer_get_chunk_facts (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  return priv->facts;
}

/**
 * evs_writer_finish:
 *
 * Completes the file, flushes it to disk and renames it over the target.
 * On failure nothing is left behind and the target is untouched.
 */
gboolean
evs_writer_finish (EvsWriter  *self,
                   GError    **error)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);
  EvsWriterClass *klass = EVS_WRITER_GET_CLASS (self);
  g_autoptr(GError) local_error = NULL;
  mode_t mask;

  g_return_val_if_fail (EVS_IS_WRITER (self), FALSE);
  g_return_val_if_fail (priv->begun && !priv->finished && !priv->failed, FALSE);

  if (klass->finish != NULL && !klass->finish (self, error))
    goto fail;

  if (priv->stream != NULL)
    {
      if (!g_output_stream_flush (priv->stream, NULL, &local_error))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot write “%s”: %s",
                       priv->path, local_error->message);
          goto fail;
        }
      if (fsync (priv->fd) != 0)
        {
          int errsv = errno;

          g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot write “%s”: %s",
                       priv->path, g_strerror (errsv));
          goto fail;
        }
      if (!g_output_stream_close (priv->stream, NULL, &local_error))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot write “%s”: %s",
                       priv->path, local_error->message);
          goto fail;
        }
      g_clear_object (&priv->stream);
      priv->fd = -1;
    }

  /* mkstemp creates 0600 files; give the result the usual permissions. */
  mask = umask (0);
  umask (mask);
  g_chmod (priv->temp_path, 0666 & ~mask);

  if (g_rename (priv->temp_path, priv->path) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot move the finished file to “%s”: %s", priv->path, g_strerror (errsv));
      goto fail;
    }

  g_clear_pointer (&priv->temp_path, g_free);
  priv->finished = TRUE;

  return TRUE;

fail:
  priv->failed = TRUE;
  remove_temp (self);
  return FALSE;
}

/**
 * evs_writer_abort:
 *
 * Stops writing and removes the temporary file.  The target is untouched.
 * Safe to call at any time, also after finish (then it does nothing).
 */
void
evs_writer_abort (EvsWriter *self)
{
  EvsWriterPrivate *priv = evs_writer_get_instance_private (self);

  g_return_if_fail (EVS_IS_WRITER (self));

  if (priv->finished)
    return;

  if (priv->begun)
    priv->failed = TRUE;
  remove_temp (self);
}
