/* evs-export-job.c
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

#define G_LOG_DOMAIN "evs-export-job"

#include "config.h"

#include "evs-export-job.h"
#include "evs-hot-pixel-map.h"
#include "evs-error.h"
#include "evs-index.h"
#include "evs-reader-private.h"
#include "evs-writer.h"
#include "evs-pipeline-private.h"
#include "evs-writer-private.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Export: reader → (time range) → pipeline → writer, streaming with one
 * chunk of memory, plus O(sensor) for the filters and the hot-pixel first
 * pass.  The pipeline filters the chunk in place and the writer encodes
 * it directly: no copies between stages.  The hot-pixel counts come from
 * the index scan when the index has to be built anyway, otherwise from a
 * counting pass of their own.  The output is written to a temporary file and renamed at the end;
 * on failure or cancel it is removed and an existing target is untouched.
 * This is the only export loop: the GUI and `evscope-cli export` both run it.
 *
 * The time range keeps exactly the events with start ≤ t < end, in file
 * order, also when time steps back.  It uses the input's time index (built
 * and cached by evs_index_ensure() when missing): the reader seeks to the
 * start, and when the index saw no step back in time the export stops at
 * the first event at or after the end; otherwise it reads on to the end of
 * the file.  The index also gives the sensor size when the input states
 * none, so that the output header and the filters know it.
 *
 * Properties are updated in the thread that started the job: directly for
 * evs_export_job_run(), through one coalesced low-priority idle for
 * evs_export_job_run_async().
 */

#define CHUNK_CAPACITY (16 * 1024)
#define PROGRESS_INTERVAL_US (100 * 1000)

struct _EvsExportJob
{
  GObject        parent_instance;

  char          *input_path;
  char          *output_path;
  EvsFormat      format;
  gint64         start_us;
  gint64         end_us;
  EvsPipeline   *pipeline_spec;  /* as set */
  EvsPipeline   *pipeline;       /* a fresh copy per run, with its statistics */
  GPtrArray     *extra_comments;
  gint64         progress_interval_us;

  EvsExportProgressFunc progress_func;
  gpointer       progress_data;
  GDestroyNotify progress_destroy;

  /* results, owned by the starting thread */
  EvsExportPhase phase;
  double         fraction;
  double         events_per_second;
  guint64        n_events_in;
  guint64        n_events_out;
  double         seconds;
  gboolean       running;

  /* worker → starting thread */
  GMutex         mutex;
  GMainContext  *context;
  gboolean       idle_pending;
  EvsExportPhase pub_phase;
  double         pub_fraction;
  double         pub_eps;
  guint64        pub_in;
  guint64        pub_out;
};

enum {
  PROP_0,
  PROP_INPUT_PATH,
  PROP_OUTPUT_PATH,
  PROP_FRACTION,
  PROP_EVENTS_PER_SECOND,
  PROP_N_EVENTS_IN,
  PROP_N_EVENTS_OUT,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsExportJob, evs_export_job, G_TYPE_OBJECT)

static void
evs_export_job_finalize (GObject *object)
{
  EvsExportJob *self = (EvsExportJob *) object;

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  g_clear_pointer (&self->input_path, g_free);
  g_clear_pointer (&self->output_path, g_free);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->pipeline_spec);
  g_clear_pointer (&self->extra_comments, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (evs_export_job_parent_class)->finalize (object);
}

static void
evs_export_job_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EvsExportJob *self = EVS_EXPORT_JOB (object);

  switch (prop_id)
    {
    case PROP_INPUT_PATH:
      g_value_set_string (value, self->input_path);
      break;

    case PROP_OUTPUT_PATH:
      g_value_set_string (value, self->output_path);
      break;

    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;

    case PROP_EVENTS_PER_SECOND:
      g_value_set_double (value, self->events_per_second);
      break;

    case PROP_N_EVENTS_IN:
      g_value_set_uint64 (value, self->n_events_in);
      break;

    case PROP_N_EVENTS_OUT:
      g_value_set_uint64 (value, self->n_events_out);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_export_job_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EvsExportJob *self = EVS_EXPORT_JOB (object);

  switch (prop_id)
    {
    case PROP_INPUT_PATH:
      self->input_path = g_value_dup_string (value);
      break;

    case PROP_OUTPUT_PATH:
      self->output_path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_export_job_class_init (EvsExportJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = evs_export_job_finalize;
  object_class->get_property = evs_export_job_get_property;
  object_class->set_property = evs_export_job_set_property;

  properties[PROP_INPUT_PATH] =
    g_param_spec_string ("input-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OUTPUT_PATH] =
    g_param_spec_string ("output-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EVENTS_PER_SECOND] =
    g_param_spec_double ("events-per-second", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_EVENTS_IN] =
    g_param_spec_uint64 ("n-events-in", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_EVENTS_OUT] =
    g_param_spec_uint64 ("n-events-out", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_export_job_init (EvsExportJob *self)
{
  g_mutex_init (&self->mutex);
  self->extra_comments = g_ptr_array_new_with_free_func (g_free);
  self->start_us = G_MININT64;
  self->end_us = G_MAXINT64;
  self->progress_interval_us = PROGRESS_INTERVAL_US;
}

/**
 * evs_export_job_new:
 *
 * Returns: (transfer full): a job writing @output_path from @input_path
 */
EvsExportJob *
evs_export_job_new (const char *input_path,
                    const char *output_path)
{
  g_return_val_if_fail (input_path != NULL, NULL);
  g_return_val_if_fail (output_path != NULL, NULL);

  return g_object_new (EVS_TYPE_EXPORT_JOB, "input-path", input_path, "output-path",
                       output_path, NULL);
}

/**
 * evs_export_job_set_format:
 * @format: a writable format, or %EVS_FORMAT_UNKNOWN to choose from the
 *   output file's extension
 */
void
evs_export_job_set_format (EvsExportJob *self,
                           EvsFormat     format)
{
  g_return_if_fail (EVS_IS_EXPORT_JOB (self));
  g_return_if_fail (!self->running);

  self->format = format;
}

EvsFormat
evs_export_job_get_format (EvsExportJob *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), EVS_FORMAT_UNKNOWN);

  if (self->format == EVS_FORMAT_UNKNOWN)
    return evs_format_for_output_path (self->output_path);
  return self->format;
}

/**
 * evs_export_job_set_time_range:
 *
 * Exports only the events with @start_us ≤ t < @end_us (%G_MININT64 and
 * %G_MAXINT64 for no bound).
 */
void
evs_export_job_set_time_range (EvsExportJob *self,
                               gint64        start_us,
                               gint64        end_us)
{
  g_return_if_fail (EVS_IS_EXPORT_JOB (self));
  g_return_if_fail (!self->running);

  self->start_us = start_us;
  self->end_us = end_us;
}

/**
 * evs_export_job_set_pipeline:
 * @pipeline: (nullable): filters to apply; each run works on a fresh deep
 *   copy (hot pixels already learnt in @pipeline are kept, others are
 *   counted in a first pass)
 */
void
evs_export_job_set_pipeline (EvsExportJob *self,
                             EvsPipeline  *pipeline)
{
  g_return_if_fail (EVS_IS_EXPORT_JOB (self));
  g_return_if_fail (!self->running);

  g_clear_object (&self->pipeline);
  g_clear_object (&self->pipeline_spec);
  if (pipeline != NULL)
    {
      self->pipeline_spec = evs_pipeline_copy (pipeline);
      self->pipeline = evs_pipeline_copy (pipeline);
    }
}

/**
 * evs_export_job_get_pipeline:
 *
 * Returns: (transfer none) (nullable): the job's copy of the pipeline, with
 *   the per-stage statistics of the last run
 */
EvsPipeline *
evs_export_job_get_pipeline (EvsExportJob *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), NULL);

  return self->pipeline;
}

/**
 * evs_export_job_add_comment:
 * @comment: a provenance entry "key value" (for example
 *   "evscope_command evscope-cli export …")
 *
 * Adds an entry to the output's provenance, after the job's own
 * (evscope_version, evscope_source, evscope_time_range, evscope_pipeline).
 */
void
evs_export_job_add_comment (EvsExportJob *self,
                            const char   *comment)
{
  g_return_if_fail (EVS_IS_EXPORT_JOB (self));
  g_return_if_fail (comment != NULL);
  g_return_if_fail (!self->running);

  g_ptr_array_add (self->extra_comments, g_strdup (comment));
}

void
evs_export_job_set_progress_func (EvsExportJob          *self,
                                  EvsExportProgressFunc  func,
                                  gpointer               user_data,
                                  GDestroyNotify         destroy)
{
  g_return_if_fail (EVS_IS_EXPORT_JOB (self));

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  self->progress_func = func;
  self->progress_data = user_data;
  self->progress_destroy = destroy;
}

/**
 * evs_export_job_set_progress_interval:
 *
 * Sets the shortest time between two progress reports (default 100 ms;
 * 0 reports after every chunk).
 */
void
evs_export_job_set_progress_interval (EvsExportJob *self,
                                      guint64       interval_us)
{
  g_return_if_fail (EVS_IS_EXPORT_JOB (self));

  self->progress_interval_us = MIN (interval_us, (guint64) G_MAXINT64);
}

static void
apply_progress (EvsExportJob   *self,
                EvsExportPhase  phase,
                double          fraction,
                double          eps,
                guint64         in,
                guint64         out)
{
  self->phase = phase;
  g_object_freeze_notify (G_OBJECT (self));
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (self->events_per_second != eps)
    {
      self->events_per_second = eps;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENTS_PER_SECOND]);
    }
  if (self->n_events_in != in)
    {
      self->n_events_in = in;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_EVENTS_IN]);
    }
  if (self->n_events_out != out)
    {
      self->n_events_out = out;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_EVENTS_OUT]);
    }
  g_object_thaw_notify (G_OBJECT (self));

  if (self->progress_func != NULL)
    self->progress_func (self, fraction, eps, self->progress_data);
}

static gboolean
progress_idle_cb (gpointer data)
{
  EvsExportJob *self = data;
  EvsExportPhase phase;
  double fraction, eps;
  guint64 in, out;

  g_mutex_lock (&self->mutex);
  self->idle_pending = FALSE;
  phase = self->pub_phase;
  fraction = self->pub_fraction;
  eps = self->pub_eps;
  in = self->pub_in;
  out = self->pub_out;
  g_mutex_unlock (&self->mutex);

  if (self->running)
    apply_progress (self, phase, fraction, eps, in, out);

  return G_SOURCE_REMOVE;
}

typedef struct
{
  EvsExportJob  *self;
  gboolean       in_thread;
  gint64         t0;
  gint64         last;
  guint64        read;
  guint64        read_base;   /* events read before the index scan */
  EvsExportPhase phase;
  double         base;        /* fraction done by the earlier phases */
  double         span;        /* the current phase's share */
  guint64        ord_begin;   /* ordinals of the stretch read, when indexed */
  guint64        ord_end;
} Progress;

static void
report (Progress *pr,
        double    phase_fraction,
        guint64   in,
        guint64   out)
{
  EvsExportJob *self = pr->self;
  gint64 now = g_get_monotonic_time ();
  double eps, fraction;

  if (now - pr->last < self->progress_interval_us)
    return;
  pr->last = now;
  eps = now > pr->t0 ? pr->read / ((now - pr->t0) / 1e6) : 0.0;
  fraction = CLAMP (pr->base + pr->span * CLAMP (phase_fraction, 0.0, 1.0), 0.0, 1.0);

  if (!pr->in_thread)
    {
      apply_progress (self, pr->phase, fraction, eps, in, out);
      return;
    }

  g_mutex_lock (&self->mutex);
  self->pub_phase = pr->phase;
  self->pub_fraction = fraction;
  self->pub_eps = eps;
  self->pub_in = in;
  self->pub_out = out;
  if (!self->idle_pending)
    {
      GSource *source = g_idle_source_new ();

      self->idle_pending = TRUE;
      g_source_set_priority (source, G_PRIORITY_LOW);
      g_source_set_callback (source, progress_idle_cb, g_object_ref (self), g_object_unref);
      g_source_set_static_name (source, "[evs] export progress");
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
  g_mutex_unlock (&self->mutex);
}

static void
next_phase (Progress       *pr,
            EvsExportPhase  phase,
            guint           n_phases_left)
{
  if (pr->phase != EVS_EXPORT_PHASE_NONE)
    pr->base += pr->span;
  pr->phase = phase;
  pr->span = (1.0 - pr->base) / MAX (n_phases_left, 1);
  pr->last = G_MININT64 / 2;
  pr->ord_begin = pr->ord_end = 0;
}

/* The share of the current pass read: by event ordinals when the index
 * gives them, by file position otherwise. */
static double
pass_fraction (Progress  *pr,
               EvsReader *reader)
{
  if (pr->ord_end > pr->ord_begin)
    {
      guint64 now = evs_reader_get_ordinal (reader);

      return (double) (now - MIN (now, pr->ord_begin)) / (double) (pr->ord_end - pr->ord_begin);
    }

  return evs_reader_get_fraction (reader);
}

static void
index_progress_cb (double   fraction,
                   guint64  n_events,
                   gpointer user_data)
{
  Progress *pr = user_data;

  pr->read = pr->read_base + n_events;
  report (pr, fraction, 0, 0);
}

/* Refuses writing over the input: the same inode (also through a symlink
 * or a hard link), or the same canonical path. */
static gboolean
same_file (const char *in_path,
           const char *out_path)
{
  GStatBuf in_st, out_st;
  g_autofree char *in_real = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *out_dir_real = NULL;
  g_autofree char *out_base = NULL;
  g_autofree char *out_real = NULL;

  if (g_stat (in_path, &in_st) != 0)
    return FALSE;

  if (g_stat (out_path, &out_st) == 0 && in_st.st_dev == out_st.st_dev
      && in_st.st_ino == out_st.st_ino)
    return TRUE;

  in_real = realpath (in_path, NULL);
  out_dir = g_path_get_dirname (out_path);
  out_dir_real = realpath (out_dir, NULL);
  if (in_real == NULL || out_dir_real == NULL)
    return FALSE;

  out_base = g_path_get_basename (out_path);
  out_real = g_build_filename (out_dir_real, out_base, NULL);

  return strcmp (in_real, out_real) == 0;
}

/**
 * evs_export_job_check:
 *
 * Checks what can be checked without reading the input: a writable output
 * format (%EVS_ERROR_UNSUPPORTED), a time range that does not end before it
 * starts, and an output that is not the input itself, also through a
 * symbolic or hard link (%EVS_ERROR_INVALID_ARGUMENT).
 * evs_export_job_run() starts with the same checks.
 *
 * Returns: %TRUE when the job may run
 */
gboolean
evs_export_job_check (EvsExportJob  *self,
                      GError       **error)
{
  EvsFormat format;

  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), FALSE);

  format = evs_export_job_get_format (self);
  if (!evs_format_can_write (format))
    {
      if (self->format == EVS_FORMAT_UNKNOWN)
        g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                     "Cannot tell which format to write for “%s” (use .raw, .dat, .h5 or .csv, "
                     "or choose a format)", self->output_path);
      else
        g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                     "Evscope cannot write %s (%s) files", evs_format_to_string (format),
                     evs_format_get_display_name (format));
      return FALSE;
    }


  if (self->end_us < self->start_us)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "The time range ends (%" G_GINT64_FORMAT " µs) before it starts (%"
                   G_GINT64_FORMAT " µs)", self->end_us, self->start_us);
      return FALSE;
    }

  if (same_file (self->input_path, self->output_path))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "“%s” is the input recording; export to another file", self->output_path);
      return FALSE;
    }

  return TRUE;
}

/* Counts the whole recording per pixel, then rewinds. */
static gboolean
first_pass (EvsExportJob   *self,
            EvsReader      *reader,
            EvsPixelCounter *counter,
            EvsEventChunk  *chunk,
            Progress       *pr,
            GCancellable   *cancellable,
            GError        **error)
{
  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      evs_event_chunk_clear (chunk);
      if (!evs_reader_read (reader, chunk, error))
        return FALSE;
      if (chunk->n_events == 0)
        break;
      evs_pixel_counter_add_chunk (chunk, counter);
      pr->read += chunk->n_events;
      report (pr, pass_fraction (pr, reader), 0, 0);
    }

  return evs_reader_rewind (reader, error);
}

/* Keeps the events of [start, end) */
static void
cut_time_range (EvsEventChunk *chunk,
                gint64         start,
                gint64         end,
                guint8        *keep)
{
  gboolean all = TRUE;

  for (gsize i = 0; i < chunk->n_events; i++)
    {
      keep[i] = chunk->t[i] >= start && chunk->t[i] < end;
      all &= keep[i];
    }
  if (!all)
    evs_event_chunk_compact (chunk, keep);
}

/* The cached index of the input, or NULL when there is none yet */
static EvsIndex *
load_cached_index (EvsReader *reader)
{
  const char *path = evs_reader_get_info (reader)->path;
  g_autofree char *cache_path = NULL;
  EvsIndex *index;

  if (path == NULL)
    return NULL;
  cache_path = evs_index_get_cache_path (path);
  index = evs_index_load (cache_path, reader, NULL);
  if (index != NULL)
    evs_reader_set_index (reader, index);
  return index;
}

/* The first index entry after which some event had reached @end: the
 * export stops before it. */
static guint64
ordinal_end (EvsIndex *index,
             gint64    end)
{
  const EvsIndexEntry *entries;
  guint n_entries = 0;

  entries = evs_index_get_entries (index, &n_entries);
  for (guint i = 0; i < n_entries; i++)
    {
      if (entries[i].position.t >= end)
        return entries[i].position.ordinal;
    }
  return evs_index_get_n_events (index);
}

static gboolean
run_job (EvsExportJob  *self,
         gboolean       in_thread,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsIndex) index = NULL;
  g_autoptr(EvsWriter) writer = NULL;
  g_autoptr(EvsEventChunk) chunk = NULL;
  g_autoptr(EvsRecordingInfo) info = NULL;
  g_autoptr(GPtrArray) comments = g_ptr_array_new_with_free_func (g_free);
  g_autofree guint8 *keep = NULL;
  g_autofree char *abs_input = NULL;
  EvsPixelCounter counter = { NULL, 0, 0, 0, 0, 0 };
  gboolean counted = FALSE, cache_counts = FALSE;
  gint64 scan_mtime = 0;
  EvsPipeline *pipeline = self->pipeline;
  EvsFormat format = evs_export_job_get_format (self);
  gboolean two_passes, need_index, build_index;
  gboolean has_range = self->start_us != G_MININT64 || self->end_us != G_MAXINT64;
  gboolean stop_at_end = FALSE, done = FALSE;
  EvsChunkFacts facts;
  gboolean have_facts;
  guint64 in = 0, out = 0;
  Progress pr = { self, in_thread, g_get_monotonic_time (), G_MININT64 / 2, 0, 0,
                  EVS_EXPORT_PHASE_NONE, 0.0, 0.0, 0, 0 };

  if (!evs_export_job_check (self, error))
    return FALSE;

  reader = evs_reader_open (self->input_path, error);
  if (reader == NULL)
    return FALSE;

  /* The index: to seek to the start and stop at the end of a time range,
   * and for the sensor size when the input states none. */
  need_index = has_range || !evs_reader_get_info (reader)->geometry_known;
  if (need_index)
    index = load_cached_index (reader);
  build_index = need_index && index == NULL;
  two_passes = pipeline != NULL && evs_pipeline_needs_first_pass (pipeline);

  if (two_passes)
    {
      /* counts cached by an earlier export of the same file contents */
      counter.counts = evs_index_load_counts (self->input_path, &counter.width, &counter.height,
                                              &counter.t_first, &counter.t_last);
      counted = counter.counts != NULL;
      if (!counted)
        {
          evs_pixel_counter_init (&counter, evs_reader_get_width (reader),
                              evs_reader_get_height (reader));
          scan_mtime = evs_index_get_file_mtime_us (self->input_path);
        }
    }

  if (build_index)
    {
      gboolean scanned = FALSE;
      gboolean count_now = two_passes && !counted;

      /* the hot-pixel counts are gathered by the same scan */
      next_phase (&pr, EVS_EXPORT_PHASE_INDEXING, 2);
      report (&pr, 0.0, 0, 0);

      index = evs_index_ensure_full (reader, cancellable, count_now ? evs_pixel_counter_add_chunk : NULL,
                                     &counter, &scanned, index_progress_cb, &pr, error);
      if (index == NULL)
        {
          evs_pixel_counter_clear (&counter);
          return FALSE;
        }
      pr.read_base = pr.read;
      if (count_now && scanned)
        {
          /* the sensor size the index found, as a separate pass would
           * start from */
          evs_pixel_counter_grow (&counter, evs_reader_get_width (reader), evs_reader_get_height (reader));
          counted = TRUE;
          cache_counts = TRUE;
        }
    }
  if (index != NULL)
    stop_at_end = evs_index_get_stats (index)->non_monotonic == 0;

  if (pipeline != NULL)
    {
      evs_pipeline_set_geometry (pipeline, evs_reader_get_width (reader),
                                 evs_reader_get_height (reader));
      evs_pipeline_reset (pipeline);
    }

  chunk = evs_event_chunk_new (CHUNK_CAPACITY);
  keep = g_malloc (CHUNK_CAPACITY);

  if (two_passes && !counted)
    {
      next_phase (&pr, EVS_EXPORT_PHASE_COUNTING, 2);
      if (index != NULL)
        pr.ord_end = evs_index_get_n_events (index);
      report (&pr, 0.0, 0, 0);
      /* from the sensor size as known now (the index may have found it) */
      evs_pixel_counter_clear (&counter);
      evs_pixel_counter_init (&counter, evs_reader_get_width (reader),
                              evs_reader_get_height (reader));
      if (!first_pass (self, reader, &counter, chunk, &pr, cancellable, error))
        {
          evs_pixel_counter_clear (&counter);
          return FALSE;
        }
      cache_counts = TRUE;
    }
  if (two_passes)
    {
      g_autoptr(GError) cache_error = NULL;

      if (cache_counts
          && !evs_index_save_counts (self->input_path, scan_mtime, counter.counts, counter.width,
                                     counter.height, counter.t_first, counter.t_last, &cache_error))
        g_debug ("Pixel counts not cached: %s", cache_error->message);
      evs_pipeline_learn_counts (pipeline, counter.counts, counter.width, counter.height,
                                 evs_pixel_counter_get_duration (&counter));
      evs_pixel_counter_clear (&counter);
    }

  next_phase (&pr, EVS_EXPORT_PHASE_WRITING, 1);
  if (self->start_us != G_MININT64 && !evs_reader_seek (reader, self->start_us, error))
    return FALSE;
  if (index != NULL)
    {
      pr.ord_begin = evs_reader_get_ordinal (reader);
      pr.ord_end = stop_at_end ? ordinal_end (index, self->end_us)
                               : evs_index_get_n_events (index);
    }

  info = evs_recording_info_copy (evs_reader_get_info (reader));
  info->format = format;
  /* a sensor size found by the index is now stated */
  info->geometry_known = info->width > 0 && info->height > 0;
  abs_input = g_canonicalize_filename (self->input_path, NULL);
  g_ptr_array_add (comments, g_strdup ("evscope_version " PACKAGE_VERSION));
  g_ptr_array_add (comments, g_strdup_printf ("evscope_source %s", abs_input));
  if (has_range)
    g_ptr_array_add (comments, g_strdup_printf ("evscope_time_range %" G_GINT64_FORMAT " %"
                                                G_GINT64_FORMAT, self->start_us, self->end_us));
  if (pipeline != NULL)
    {
      g_autofree char *json = evs_pipeline_to_string (pipeline, FALSE);

      g_ptr_array_add (comments, g_strdup_printf ("evscope_pipeline %s", json));
    }
  for (guint i = 0; i < self->extra_comments->len; i++)
    g_ptr_array_add (comments, g_strdup (g_ptr_array_index (self->extra_comments, i)));
  g_ptr_array_add (comments, NULL);

  writer = evs_writer_new (format, self->output_path, error);
  if (writer == NULL)
    return FALSE;
  if (!evs_writer_begin (writer, info, (const char * const *) comments->pdata, error))
    return FALSE;
  report (&pr, 0.0, 0, 0);

  while (!done)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      evs_event_chunk_clear (chunk);
      if (!evs_reader_read (reader, chunk, error))
        goto fail;
      if (chunk->n_events == 0)
        break;
      pr.read += chunk->n_events;

      if (has_range)
        {
          /* Times never go back (the index saw no step back): the first
           * event at or after the end ends the export.  Otherwise read on,
           * keeping whatever falls in the range. */
          if (stop_at_end)
            {
              gsize k = evs_event_chunk_lower_bound (chunk, self->end_us);

              if (k < chunk->n_events)
                {
                  chunk->n_events = k;
                  done = TRUE;
                }
            }
          cut_time_range (chunk, self->start_us, self->end_us, keep);
        }

      /* What validation learnt of the chunk stays true of what the range
       * and the filters keep of it */
      have_facts = _evs_reader_get_chunk_facts (reader, &facts);

      in += chunk->n_events;
      if (pipeline != NULL)
        _evs_pipeline_process_with_facts (pipeline, chunk, have_facts ? &facts : NULL);
      out += chunk->n_events;
      if (!_evs_writer_write_with_facts (writer, chunk, have_facts ? &facts : NULL, error))
        goto fail;

      report (&pr, pass_fraction (&pr, reader), in, out);
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;
  if (!evs_writer_finish (writer, error))
    goto fail;

  self->seconds = (g_get_monotonic_time () - pr.t0) / 1e6;
  /* end_run() publishes these in the starting thread */
  g_mutex_lock (&self->mutex);
  self->pub_in = in;
  self->pub_out = out;
  /* at the end: the export's throughput, input events over the time of all
   * its passes (while running: the reading rate of the current pass) */
  self->pub_eps = self->seconds > 0 ? in / self->seconds : 0.0;
  g_mutex_unlock (&self->mutex);
  return TRUE;

fail:
  evs_writer_abort (writer);
  return FALSE;
}

static void
begin_run (EvsExportJob *self)
{
  self->running = TRUE;
  self->seconds = 0;
  /* Each run starts from the pipeline as set: what a run learnt (hot
   * pixels) is learnt again from the input as it is now. */
  if (self->pipeline_spec != NULL)
    {
      g_clear_object (&self->pipeline);
      self->pipeline = evs_pipeline_copy (self->pipeline_spec);
    }
  g_mutex_lock (&self->mutex);
  self->pub_fraction = 0;
  self->pub_eps = 0;
  self->pub_in = self->pub_out = 0;
  self->pub_phase = EVS_EXPORT_PHASE_NONE;
  g_mutex_unlock (&self->mutex);
  apply_progress (self, EVS_EXPORT_PHASE_NONE, 0.0, 0.0, 0, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
end_run (EvsExportJob *self,
         gboolean      ok)
{
  self->running = FALSE;
  if (ok)
    {
      double eps;
      guint64 in, out;

      g_mutex_lock (&self->mutex);
      in = self->pub_in;
      out = self->pub_out;
      eps = self->pub_eps;
      g_mutex_unlock (&self->mutex);
      apply_progress (self, EVS_EXPORT_PHASE_WRITING, 1.0, eps, in, out);
    }
  self->phase = EVS_EXPORT_PHASE_NONE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/**
 * evs_export_job_run:
 *
 * Runs the export in the calling thread (for the CLI and tests).
 */
gboolean
evs_export_job_run (EvsExportJob  *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), FALSE);
  g_return_val_if_fail (!self->running, FALSE);

  begin_run (self);
  ok = run_job (self, FALSE, cancellable, error);
  end_run (self, ok);
  return ok;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  EvsExportJob *self = source_object;
  GError *error = NULL;

  if (run_job (self, TRUE, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *outer = user_data;
  EvsExportJob *self = EVS_EXPORT_JOB (object);
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  end_run (self, ok);
  if (ok)
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
  g_object_unref (outer);
}

/**
 * evs_export_job_run_async:
 *
 * Runs the export in a worker thread.  Progress properties change in the
 * thread-default main context of the caller.
 */
void
evs_export_job_run_async (EvsExportJob        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) worker = NULL;
  GTask *outer;

  g_return_if_fail (EVS_IS_EXPORT_JOB (self));
  g_return_if_fail (!self->running);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, evs_export_job_run_async);

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  begin_run (self);

  worker = g_task_new (self, cancellable, run_done_cb, outer);
  g_task_set_source_tag (worker, run_thread);
  g_task_set_priority (worker, G_PRIORITY_LOW);
  g_task_set_return_on_cancel (worker, FALSE);
  g_task_run_in_thread (worker, run_thread);
}

gboolean
evs_export_job_run_finish (EvsExportJob  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * evs_export_job_get_phase:
 *
 * Returns: what the running job is doing, as of the last progress report
 */
EvsExportPhase
evs_export_job_get_phase (EvsExportJob *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), EVS_EXPORT_PHASE_NONE);

  return self->phase;
}

double
evs_export_job_get_fraction (EvsExportJob *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), 0.0);

  return self->fraction;
}

double
evs_export_job_get_events_per_second (EvsExportJob *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), 0.0);

  return self->events_per_second;
}

guint64
evs_export_job_get_n_events_in (EvsExportJob *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), 0);

  return self->n_events_in;
}

guint64
evs_export_job_get_n_events_out (EvsExportJob *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), 0);

  return self->n_events_out;
}

/**
 * evs_export_job_get_seconds:
 *
 * Returns: the wall-clock duration of the last successful run
 */
double
evs_export_job_get_seconds (EvsExportJob *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), 0.0);

  return self->seconds;
}

/**
 * evs_export_job_dup_summary:
 *
 * Returns: (transfer full): a text table of the events in and out of each
 *   stage (ON/OFF) and the throughput of the last run
 */
char *
evs_export_job_dup_summary (EvsExportJob *self)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (EVS_IS_EXPORT_JOB (self), NULL);

  if (self->pipeline != NULL)
    {
      g_autofree char *table = evs_pipeline_dup_stats_table (self->pipeline);

      g_string_append (s, table);
    }
  g_string_append_printf (s, "total: %" G_GUINT64_FORMAT " events in, %" G_GUINT64_FORMAT
                          " out, %.2f s, %.1f M events/s\n", self->n_events_in,
                          self->n_events_out, self->seconds, self->events_per_second / 1e6);
  return g_string_free (s, FALSE);
}
