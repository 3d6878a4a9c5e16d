/* evs-loader.c
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

#define G_LOG_DOMAIN "evs-loader"

#include "config.h"

#include "evs-loader.h"
#include "evs-error.h"
#include "evs-reader.h"

/* EvsLoader opens a recording and indexes it on the loader thread.
 *
 * Each loader has its own GThreadPool (max_threads 1, exclusive) that runs
 * its jobs in order, so its readers — and with them every HDF5 call on
 * them — live on one thread, and one window's scan never delays another's.  A load job opens two readers: the "scan" reader builds the
 * index, the "view" reader serves window renders.  The first 10 ms are
 * read and published before the scan starts, and render requests are
 * served between scan chunks (from the progress callback), so the first
 * frame does not wait for the index.
 *
 * Render requests are "latest wins": one pending slot; a new request
 * cancels the one it replaces.
 *
 * The worker publishes progress under a mutex and schedules at most one
 * low-priority idle on the caller's main context, which copies the
 * published state and notifies the properties. */

typedef enum
{
  JOB_LOAD,
  JOB_RENDER,
  JOB_CLOSE,
} JobKind;

typedef struct
{
  JobKind    kind;
  EvsLoader *loader;  /* owned, NULL for JOB_CLOSE */
  GTask     *task;    /* owned, JOB_LOAD only */
  EvsReader *readers[2];
} Job;

struct _EvsLoader
{
  GObject           parent_instance;

  GMainContext     *context;
  char             *path;
  GThreadPool      *pool;          /* one exclusive thread */

  /* Worker-only (the loader thread) */
  EvsReader        *scan_reader;
  EvsReader        *view_reader;
  EvsRenderer      *renderer;      /* reused across renders */
  EvsEventChunk    *render_chunk;
  GArray           *scan_marks;    /* EvsRateMark, while indexing */
  EvsEventChunk    *probe;

  /* Published by the worker, guarded by mutex */
  GMutex            mutex;
  double            pub_fraction;
  char             *pub_message;
  guint64           pub_n_events;
  EvsRecordingInfo *pub_info;
  EvsIndex         *pub_index;
  EvsRate          *pub_rate;
  EvsEventChunk    *pub_first;
  guint             pub_width;
  guint             pub_height;
  GSource          *idle_source;
  GTask            *pending_render;

  /* Main-thread copies behind the properties */
  double            fraction;
  char             *message;
  guint64           n_events;
  EvsRecordingInfo *info;
  EvsIndex         *index;
  EvsRate          *rate;
  EvsEventChunk    *first_events;
  guint             width;
  guint             height;
};

enum {
  PROP_0,
  PROP_FRACTION,
  PROP_MESSAGE,
  PROP_N_EVENTS,
  PROP_INFO,
  PROP_INDEX,
  PROP_RATE,
  PROP_WIDTH,
  PROP_HEIGHT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsLoader, evs_loader, G_TYPE_OBJECT)

static GPrivate on_loader_thread;

static void job_run (gpointer data,
                     gpointer user_data);

static void
push_job (JobKind    kind,
          EvsLoader *loader,
          GTask     *task)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->loader = g_object_ref (loader);
  job->task = task;
  g_thread_pool_push (loader->pool, job, NULL);
}

/* Main thread: copy the published state and notify what changed. */
static void
sync_published (EvsLoader *self)
{
  gboolean fraction_changed, message_changed, n_changed, info_changed = FALSE;
  gboolean index_changed = FALSE, rate_changed = FALSE, width_changed, height_changed;

  g_object_freeze_notify (G_OBJECT (self));

  g_mutex_lock (&self->mutex);
  fraction_changed = self->fraction != self->pub_fraction;
  self->fraction = self->pub_fraction;
  message_changed = g_strcmp0 (self->message, self->pub_message) != 0;
  if (message_changed)
    {
      g_free (self->message);
      self->message = g_strdup (self->pub_message);
    }
  n_changed = self->n_events != self->pub_n_events;
  self->n_events = self->pub_n_events;
  if (self->info == NULL && self->pub_info != NULL)
    {
      self->info = evs_recording_info_copy (self->pub_info);
      info_changed = TRUE;
    }
  if (self->first_events == NULL && self->pub_first != NULL)
    self->first_events = evs_event_chunk_ref (self->pub_first);
  if (self->index != self->pub_index)
    {
      g_clear_pointer (&self->index, evs_index_unref);
      self->index = self->pub_index ? evs_index_ref (self->pub_index) : NULL;
      index_changed = TRUE;
    }
  if (self->rate != self->pub_rate)
    {
      g_clear_pointer (&self->rate, evs_rate_unref);
      self->rate = self->pub_rate ? evs_rate_ref (self->pub_rate) : NULL;
      rate_changed = TRUE;
    }
  width_changed = self->width != self->pub_width;
  self->width = self->pub_width;
  height_changed = self->height != self->pub_height;
  self->height = self->pub_height;
  g_mutex_unlock (&self->mutex);

  if (fraction_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  if (message_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
  if (n_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_EVENTS]);
  if (width_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDTH]);
  if (height_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEIGHT]);
  if (info_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INFO]);
  if (rate_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
  if (index_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INDEX]);

  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
publish_idle_cb (gpointer data)
{
  EvsLoader *self = data;

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->idle_source, g_source_unref);
  g_mutex_unlock (&self->mutex);

  sync_published (self);

  return G_SOURCE_REMOVE;
}

/* Called with the mutex held, from any thread. */
static void
queue_publish_locked (EvsLoader *self)
{
  if (self->idle_source != NULL || self->context == NULL)
    return;

  self->idle_source = g_idle_source_new ();
  g_source_set_priority (self->idle_source, G_PRIORITY_LOW);
  g_source_set_name (self->idle_source, "[evscope] loader progress");
  g_source_set_callback (self->idle_source, publish_idle_cb, g_object_ref (self), g_object_unref);
  g_source_attach (self->idle_source, self->context);
}

static void
update_geometry_locked (EvsLoader *self)
{
  guint width = 0, height = 0;

  if (self->pub_info != NULL && self->pub_info->geometry_known)
    {
      width = self->pub_info->width;
      height = self->pub_info->height;
    }
  else
    {
      if (self->pub_index != NULL)
        evs_index_get_extent (self->pub_index, &width, &height);
      if (self->pub_first != NULL)
        for (gsize i = 0; i < self->pub_first->n_events; i++)
          {
            width = MAX (width, (guint) self->pub_first->x[i] + 1);
            height = MAX (height, (guint) self->pub_first->y[i] + 1);
          }
    }

  /* A header may claim any size (hostile or broken files): the frames, and
   * the per-pixel state behind them, stay bounded.  Events beyond are not
   * drawn. */
  width = CLAMP (width, 1, EVS_LOADER_MAX_SIDE);
  height = CLAMP (height, 1, EVS_LOADER_MAX_SIDE);
  if ((guint64) width * height > EVS_LOADER_MAX_PIXELS)
    height = MAX (EVS_LOADER_MAX_PIXELS / width, 1);

  self->pub_width = width;
  self->pub_height = height;
}

/* Loader thread: serve the latest render request, if any. */
static void
serve_render (EvsLoader *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  const EvsRenderParams *params;
  EvsRenderParams resolved;
  EvsFrame *frame;
  guint width, height;

  g_mutex_lock (&self->mutex);
  task = g_steal_pointer (&self->pending_render);
  width = self->pub_width;
  height = self->pub_height;
  g_mutex_unlock (&self->mutex);

  if (task == NULL || g_task_return_error_if_cancelled (task))
    return;

  if (self->view_reader == NULL)
    {
      g_task_return_new_error (task, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                               "No recording is open");
      return;
    }

  params = g_task_get_task_data (task);
  if (self->render_chunk == NULL)
    self->render_chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);

  /* An event-count window becomes the time window that holds those events;
   * until the index is there, the time window of the request stands in. */
  if (params->window_events > 0 && evs_reader_get_index (self->view_reader) != NULL)
    {
      gint64 t_start;

      if (!evs_render_find_count_window (self->view_reader, evs_reader_get_index (self->view_reader),
                                         params->t_end, params->window_events, self->render_chunk,
                                         g_task_get_cancellable (task), &t_start, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      resolved = *params;
      resolved.window_us = MAX (params->t_end - t_start, 1);
      params = &resolved;
    }

  if (self->renderer == NULL || evs_renderer_get_width (self->renderer) != width
      || evs_renderer_get_height (self->renderer) != height)
    {
      g_clear_pointer (&self->renderer, evs_renderer_free);
      self->renderer = evs_renderer_new (width, height, params);
    }
  if (evs_reader_get_index (self->view_reader) != NULL
      && evs_index_get_n_events (evs_reader_get_index (self->view_reader)) == 0)
    {
      /* Nothing to read (and an empty index has no position to seek to) */
      evs_renderer_reset (self->renderer, params);
      frame = evs_renderer_finish (self->renderer);
    }
  else
    frame = evs_renderer_render_window (self->renderer, self->view_reader, self->render_chunk,
                                        params, g_task_get_cancellable (task), &error);
  if (frame == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, frame, (GDestroyNotify) evs_frame_unref);
}

static double
on_fraction (const EvsEventChunk *chunk)
{
  gsize n_on = 0;

  for (gsize i = 0; i < chunk->n_events; i++)
    n_on += chunk->p[i] != 0;
  return chunk->n_events ? (double) n_on / chunk->n_events : 0.5;
}

/* Loader thread, during the scan: where has it got to in time?  The scan
 * reader's position is plain data, so the idle view reader resumes there
 * and decodes a few events.  That time and the event count make a mark of
 * the progressive rate the timeline shows until the index is done. */
static EvsRate *
probe_scan (EvsLoader *self,
            double     fraction,
            guint64    n_events)
{
  EvsReaderPosition position;
  EvsRateMark mark;
  const EvsRateMark *last;
  gint64 t_first, t_end;

  if (self->scan_reader == NULL || self->scan_marks == NULL || self->scan_marks->len == 0
      || fraction <= 0 || fraction >= 1)
    return NULL;

  evs_reader_tell (self->scan_reader, &position);
  if (!evs_reader_restore (self->view_reader, &position, NULL)
      || !evs_reader_read (self->view_reader, self->probe, NULL)
      || self->probe->n_events == 0)
    return NULL;

  last = &g_array_index (self->scan_marks, EvsRateMark, self->scan_marks->len - 1);
  mark.t = self->probe->t[0];
  mark.n_events = n_events;
  mark.on_fraction = on_fraction (self->probe);
  if (mark.t <= last->t || mark.n_events < last->n_events)
    return NULL;
  g_array_append_val (self->scan_marks, mark);

  /* The end, extrapolated from how much of the file is done */
  t_first = g_array_index (self->scan_marks, EvsRateMark, 0).t;
  t_end = t_first + (gint64) ((mark.t - t_first) / fraction);

  return evs_rate_new_partial ((const EvsRateMark *) (gpointer) self->scan_marks->data,
                               self->scan_marks->len, t_end, EVS_LOADER_RATE_BINS);
}

static void
index_progress_cb (double   fraction,
                   guint64  n_events,
                   gpointer user_data)
{
  EvsLoader *self = user_data;
  EvsRate *partial = probe_scan (self, fraction, n_events);

  g_mutex_lock (&self->mutex);
  if (partial != NULL)
    {
      g_clear_pointer (&self->pub_rate, evs_rate_unref);
      self->pub_rate = partial;
    }
  self->pub_fraction = CLAMP (fraction, 0.0, 1.0);
  self->pub_n_events = n_events;
  g_free (self->pub_message);
  self->pub_message = g_strdup_printf ("Indexing: %u %%", (guint) (self->pub_fraction * 100));
  queue_publish_locked (self);
  g_mutex_unlock (&self->mutex);

  serve_render (self);
}

static gboolean
read_first_events (EvsReader      *reader,
                   EvsEventChunk **out,
                   GError        **error)
{
  g_autoptr(EvsEventChunk) first = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  gint64 t_end = 0;
  gboolean started = FALSE;

  for (;;)
    {
      gsize n;

      if (!evs_reader_read (reader, chunk, error))
        return FALSE;
      if (chunk->n_events == 0)
        break;
      if (!started)
        {
          t_end = chunk->t[0] + EVS_LOADER_FIRST_WINDOW_US;
          started = TRUE;
        }
      n = evs_event_chunk_lower_bound (chunk, t_end);
      n = MIN (n, EVS_LOADER_FIRST_MAX_EVENTS - first->n_events);
      evs_event_chunk_append_range (first, chunk, 0, n);
      if (n < chunk->n_events || first->n_events >= EVS_LOADER_FIRST_MAX_EVENTS)
        break;
    }

  *out = g_steal_pointer (&first);
  return evs_reader_rewind (reader, error);
}

/* The index resolves the rate to about 64 Ki events; a recording with too
 * few entries for the bins gets an exact pass instead (cheap: it is small). */
static EvsRate *
compute_rate (EvsLoader    *self,
              EvsIndex     *index,
              GCancellable *cancellable)
{
  guint n_entries = 0;
  guint64 n_events = evs_index_get_n_events (index);

  evs_index_get_entries (index, &n_entries);
  if (n_events > 0 && n_entries < 4 * EVS_LOADER_RATE_BINS
      && n_events <= EVS_LOADER_EXACT_RATE_MAX_EVENTS)
    {
      g_autoptr(GError) error = NULL;
      EvsRate *rate = evs_rate_new_from_reader (self->view_reader, evs_index_get_t_first (index),
                                                evs_index_get_t_last (index), EVS_LOADER_RATE_BINS,
                                                cancellable, &error);

      if (rate != NULL)
        return rate;
      g_debug ("Exact rate pass failed, using the index: %s", error->message);
    }

  return evs_rate_new_from_index (index, EVS_LOADER_RATE_BINS);
}

static void
run_load (EvsLoader *self,
          GTask     *task)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) first = NULL;
  g_autoptr(EvsIndex) index = NULL;
  g_autoptr(EvsRate) rate = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  const char *path = g_task_get_task_data (task);

  g_clear_object (&self->scan_reader);
  g_clear_object (&self->view_reader);

  if (g_task_return_error_if_cancelled (task))
    return;

  self->view_reader = evs_reader_open (path, &error);
  if (self->view_reader == NULL || !read_first_events (self->view_reader, &first, &error))
    {
      g_clear_object (&self->view_reader);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_mutex_lock (&self->mutex);
  self->pub_info = evs_recording_info_copy (evs_reader_get_info (self->view_reader));
  self->pub_first = evs_event_chunk_ref (first);
  update_geometry_locked (self);
  g_free (self->pub_message);
  self->pub_message = g_strdup ("Indexing");
  queue_publish_locked (self);
  g_mutex_unlock (&self->mutex);

  serve_render (self);

  self->scan_marks = g_array_new (FALSE, FALSE, sizeof (EvsRateMark));
  if (first->n_events > 0)
    {
      EvsRateMark mark = { first->t[0], 0, on_fraction (first) };

      g_array_append_val (self->scan_marks, mark);
    }
  self->probe = evs_event_chunk_new (4096);

  self->scan_reader = evs_reader_open (path, &error);
  if (self->scan_reader != NULL)
    index = evs_index_ensure (self->scan_reader, cancellable, index_progress_cb, self, &error);
  g_clear_pointer (&self->scan_marks, g_array_unref);
  g_clear_pointer (&self->probe, evs_event_chunk_unref);
  if (index == NULL)
    {
      g_mutex_lock (&self->mutex);
      g_free (self->pub_message);
      self->pub_message = g_strdup_printf ("Indexing failed: %s", error->message);
      queue_publish_locked (self);
      g_mutex_unlock (&self->mutex);
      g_task_return_error (task, g_steal_pointer (&error));
      serve_render (self);
      return;
    }

  /* The scan reader is done; the view reader seeks through the index from now on. */
  g_clear_object (&self->scan_reader);
  evs_reader_set_index (self->view_reader, index);

  rate = compute_rate (self, index, cancellable);

  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->pub_index, evs_index_unref);
  self->pub_index = evs_index_ref (index);
  g_clear_pointer (&self->pub_rate, evs_rate_unref);
  self->pub_rate = g_steal_pointer (&rate);
  self->pub_fraction = 1.0;
  self->pub_n_events = evs_index_get_n_events (index);
  update_geometry_locked (self);
  g_free (self->pub_message);
  self->pub_message = g_strdup ("Indexed");
  queue_publish_locked (self);
  g_mutex_unlock (&self->mutex);

  serve_render (self);
  g_task_return_boolean (task, TRUE);
}

static void
job_run (gpointer data,
         gpointer user_data)
{
  Job *job = data;

  g_private_set (&on_loader_thread, GINT_TO_POINTER (1));

  switch (job->kind)
    {
    case JOB_LOAD:
      run_load (job->loader, job->task);
      break;
    case JOB_RENDER:
      serve_render (job->loader);
      break;
    case JOB_CLOSE:
      g_clear_object (&job->readers[0]);
      g_clear_object (&job->readers[1]);
      break;
    default:
      g_assert_not_reached ();
    }

  g_clear_object (&job->task);
  g_clear_object (&job->loader);
  g_free (job);
}

static void
evs_loader_dispose (GObject *object)
{
  EvsLoader *self = (EvsLoader *) object;

  /* Readers are closed on the loader thread, which owns them. */
  if (self->scan_reader != NULL || self->view_reader != NULL)
    {
      if (g_private_get (&on_loader_thread) != NULL)
        {
          g_clear_object (&self->scan_reader);
          g_clear_object (&self->view_reader);
        }
      else
        {
          Job *job = g_new0 (Job, 1);

          job->kind = JOB_CLOSE;
          job->readers[0] = g_steal_pointer (&self->scan_reader);
          job->readers[1] = g_steal_pointer (&self->view_reader);
          g_thread_pool_push (self->pool, job, NULL);
        }
    }

  G_OBJECT_CLASS (evs_loader_parent_class)->dispose (object);
}

static void
evs_loader_finalize (GObject *object)
{
  EvsLoader *self = (EvsLoader *) object;

  g_assert (self->pending_render == NULL);
  g_assert (self->idle_source == NULL);

  /* Safe from the pool's own thread too: without waiting, the thread
   * finishes its job (and any close job) and frees the pool. */
  g_thread_pool_free (self->pool, FALSE, FALSE);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->renderer, evs_renderer_free);
  g_clear_pointer (&self->render_chunk, evs_event_chunk_unref);
  g_clear_pointer (&self->scan_marks, g_array_unref);
  g_clear_pointer (&self->probe, evs_event_chunk_unref);
  g_clear_pointer (&self->pub_message, g_free);
  g_clear_pointer (&self->pub_info, evs_recording_info_free);
  g_clear_pointer (&self->pub_index, evs_index_unref);
  g_clear_pointer (&self->pub_rate, evs_rate_unref);
  g_clear_pointer (&self->pub_first, evs_event_chunk_unref);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->info, evs_recording_info_free);
  g_clear_pointer (&self->index, evs_index_unref);
  g_clear_pointer (&self->rate, evs_rate_unref);
  g_clear_pointer (&self->first_events, evs_event_chunk_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (evs_loader_parent_class)->finalize (object);
}

static void
evs_loader_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  EvsLoader *self = EVS_LOADER (object);

  switch (prop_id)
    {
    case PROP_FRACTION:
      g_value_set_double (value, evs_loader_get_fraction (self));
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, evs_loader_get_message (self));
      break;
    case PROP_N_EVENTS:
      g_value_set_uint64 (value, evs_loader_get_n_events (self));
      break;
    case PROP_INFO:
      g_value_set_boxed (value, evs_loader_get_info (self));
      break;
    case PROP_INDEX:
      g_value_set_boxed (value, evs_loader_get_index (self));
      break;
    case PROP_RATE:
      g_value_set_boxed (value, evs_loader_get_rate (self));
      break;
    case PROP_WIDTH:
      g_value_set_uint (value, evs_loader_get_width (self));
      break;
    case PROP_HEIGHT:
      g_value_set_uint (value, evs_loader_get_height (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_loader_class_init (EvsLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = evs_loader_dispose;
  object_class->finalize = evs_loader_finalize;
  object_class->get_property = evs_loader_get_property;

  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_EVENTS] =
    g_param_spec_uint64 ("n-events", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INFO] =
    g_param_spec_boxed ("info", NULL, NULL, EVS_TYPE_RECORDING_INFO,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INDEX] =
    g_param_spec_boxed ("index", NULL, NULL, EVS_TYPE_INDEX,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RATE] =
    g_param_spec_boxed ("rate", NULL, NULL, EVS_TYPE_RATE,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_WIDTH] =
    g_param_spec_uint ("width", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEIGHT] =
    g_param_spec_uint ("height", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_loader_init (EvsLoader *self)
{
  g_autoptr(GError) error = NULL;

  g_mutex_init (&self->mutex);

  /* A dedicated thread, not GTask's shared pool, which GIO also uses: a
   * scan of a large recording keeps it busy for a long time. */
  self->pool = g_thread_pool_new (job_run, NULL, 1, TRUE, &error);
  if (self->pool == NULL)
    g_error ("Cannot start a loader thread: %s", error->message);
}

EvsLoader *
evs_loader_new (void)
{
  return g_object_new (EVS_TYPE_LOADER, NULL);
}

/**
 * evs_loader_load_async:
 *
 * Opens @path and indexes it on the loader thread.  A loader loads once;
 * to open another file, cancel @cancellable and make a new loader.
 * Progress and metadata arrive through the properties, on the thread-default
 * main context of the caller.  The callback runs when the index is ready.
 */
void
evs_loader_load_async (EvsLoader           *self,
                       const char          *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EVS_IS_LOADER (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, evs_loader_load_async);
  g_task_set_task_data (task, g_strdup (path), g_free);

  if (self->path != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               "This loader has already loaded “%s”", self->path);
      return;
    }

  self->path = g_strdup (path);

  g_mutex_lock (&self->mutex);
  self->context = g_main_context_ref_thread_default ();
  g_free (self->pub_message);
  self->pub_message = g_strdup ("Opening");
  queue_publish_locked (self);
  g_mutex_unlock (&self->mutex);

  push_job (JOB_LOAD, self, g_steal_pointer (&task));
}

gboolean
evs_loader_load_finish (EvsLoader     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  /* The result may overtake the low-priority publishing idle. */
  sync_published (self);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sync_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/**
 * evs_loader_load:
 *
 * Synchronous evs_loader_load_async(), for tests and tools: runs a private
 * main context until the load finishes.
 */
gboolean
evs_loader_load (EvsLoader     *self,
                 const char    *path,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ret;

  g_return_val_if_fail (EVS_IS_LOADER (self), FALSE);

  g_main_context_push_thread_default (context);
  evs_loader_load_async (self, path, cancellable, sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  ret = evs_loader_load_finish (self, result, error);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  /* Later notifications go to the default context. */
  g_mutex_lock (&self->mutex);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  g_mutex_unlock (&self->mutex);

  return ret;
}

double
evs_loader_get_fraction (EvsLoader *self)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), 0);
  return self->fraction;
}

const char *
evs_loader_get_message (EvsLoader *self)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), NULL);
  return self->message;
}

guint64
evs_loader_get_n_events (EvsLoader *self)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), 0);
  return self->n_events;
}

const char *
evs_loader_get_path (EvsLoader *self)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), NULL);
  return self->path;
}

/**
 * evs_loader_get_info:
 *
 * Returns: (nullable): the recording's metadata once it is open
 */
const EvsRecordingInfo *
evs_loader_get_info (EvsLoader *self)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), NULL);
  return self->info;
}

/**
 * evs_loader_get_index:
 *
 * Returns: (nullable) (transfer none): the index once the scan is done
 */
EvsIndex *
evs_loader_get_index (EvsLoader *self)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), NULL);
  return self->index;
}

/**
 * evs_loader_get_rate:
 *
 * Returns: (nullable) (transfer none): the event rate over the whole
 *   recording, %EVS_LOADER_RATE_BINS bins, available with the index
 */
EvsRate *
evs_loader_get_rate (EvsLoader *self)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), NULL);
  return self->rate;
}

/**
 * evs_loader_get_first_events:
 *
 * Returns: (nullable) (transfer none): the events of the first
 *   %EVS_LOADER_FIRST_WINDOW_US (at most %EVS_LOADER_FIRST_MAX_EVENTS)
 */
EvsEventChunk *
evs_loader_get_first_events (EvsLoader *self)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), NULL);
  return self->first_events;
}

/**
 * evs_loader_get_width:
 *
 * Returns: the frame width: the sensor's when the file says it, else the
 *   extent of the events seen so far
 */
guint
evs_loader_get_width (EvsLoader *self)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), 0);
  return self->width;
}

guint
evs_loader_get_height (EvsLoader *self)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), 0);
  return self->height;
}

/**
 * evs_loader_render_async:
 *
 * Renders the window of @params on the loader thread.  Latest wins: a
 * pending request that has not started yet completes with
 * %G_IO_ERROR_CANCELLED.
 */
void
evs_loader_render_async (EvsLoader             *self,
                         const EvsRenderParams *params,
                         GCancellable          *cancellable,
                         GAsyncReadyCallback    callback,
                         gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) replaced = NULL;

  g_return_if_fail (EVS_IS_LOADER (self));
  g_return_if_fail (params != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, evs_loader_render_async);
  /* Not G_PRIORITY_LOW: during playback GTK redraws every frame at
   * GDK_PRIORITY_REDRAW, and a low-priority result would wait behind it. */
  g_task_set_priority (task, G_PRIORITY_DEFAULT);
  g_task_set_task_data (task, g_memdup2 (params, sizeof *params), g_free);

  g_mutex_lock (&self->mutex);
  replaced = g_steal_pointer (&self->pending_render);
  self->pending_render = g_steal_pointer (&task);
  g_mutex_unlock (&self->mutex);

  if (replaced != NULL)
    g_task_return_new_error (replaced, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "Replaced by a newer render request");

  push_job (JOB_RENDER, self, NULL);
}

EvsFrame *
evs_loader_render_finish (EvsLoader     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (EVS_IS_LOADER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * evs_loader_render:
 *
 * Synchronous evs_loader_render_async(), for tests and tools.
 */
EvsFrame *
evs_loader_render (EvsLoader              *self,
                   const EvsRenderParams  *params,
                   GCancellable           *cancellable,
                   GError                **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  EvsFrame *frame;

  g_return_val_if_fail (EVS_IS_LOADER (self), NULL);

  g_main_context_push_thread_default (context);
  evs_loader_render_async (self, params, cancellable, sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  frame = evs_loader_render_finish (self, result, error);
  g_main_context_pop_thread_default (context);

  return frame;
}
