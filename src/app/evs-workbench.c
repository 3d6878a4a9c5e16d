/* evs-workbench.c
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

#define G_LOG_DOMAIN "evs-workbench"

#include "config.h"

#include "evs-workbench.h"

#include "evs-filters.h"
#include "evs-hot-pixel-map.h"

/* EvsWorkbench is the model of the filter workbench, beside the session:
 * it watches the session's pipeline and window and keeps a preview of the
 * current window through the pipeline (EvsPreview), the compare mode, and
 * the undo history of pipeline edits.
 *
 * Live preview: every pipeline change (add, remove, move, enable, any
 * parameter) restarts a 50 ms debounce; a new raw frame (time, window,
 * view parameters) queues an idle.  Either then snapshots the inputs — a
 * deep copy of the pipeline, the render parameters, the index — and runs
 * evs_preview_render() in a GTask thread; the previous job is cancelled,
 * and a result that is not the latest request's is dropped (latest wins).
 * The worker threads share one reader, taken under a mutex (a job that
 * finds it taken opens its own).
 *
 * A hot-pixel filter that learns from whole-recording counts gets them as
 * an export's first pass computes them: one streaming pass in a worker
 * (evs_workbench_ensure_counts()), kept per recording; until they arrive
 * the preview runs it unlearnt.  (A learn-ms filter learns from the start
 * of the warm-up, not of the recording.)
 *
 * Undo: the pipeline's JSON is pushed on the undo stack after each add,
 * remove or move, and after each debounced burst of parameter edits (a
 * slider drag is one step), when it differs from the top; undo and redo
 * rebuild the pipeline in place from a snapshot, so views bound to it
 * stay bound. */

struct _EvsWorkbench
{
  GObject         parent_instance;

  EvsSession     *session;
  EvsPipeline    *pipeline;
  EvsPreview     *preview;
  EvsCompareMode  compare_mode;

  GCancellable   *cancellable;
  guint           debounce_id;
  guint           idle_id;
  guint64         serial;
  gboolean        running;

  GMutex          reader_lock;
  EvsReader      *reader;        /* idle reader of reader_path, under reader_lock */
  char           *reader_path;

  GPtrArray      *undo;          /* JSON strings, top = current state */
  GPtrArray      *redo;
  gboolean        restoring;
  gboolean        structural;    /* the change under way adds, removes or moves */

  /* Per-pixel event counts of the whole recording (hot-pixel learning) */
  GBytes         *counts;        /* guint32 × counts_width × counts_height */
  guint           counts_width;
  guint           counts_height;
  gint64          counts_duration;
  char           *counts_path;
  GCancellable   *counts_cancellable;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_PIPELINE,
  PROP_PREVIEW,
  PROP_BUSY,
  PROP_COMPARE_MODE,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_HAS_COUNTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsWorkbench, evs_workbench, G_TYPE_OBJECT)

GType
evs_compare_mode_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { EVS_COMPARE_RAW, "EVS_COMPARE_RAW", "raw" },
    { EVS_COMPARE_FILTERED, "EVS_COMPARE_FILTERED", "filtered" },
    { EVS_COMPARE_SIDE_BY_SIDE, "EVS_COMPARE_SIDE_BY_SIDE", "side-by-side" },
    { EVS_COMPARE_REMOVED, "EVS_COMPARE_REMOVED", "removed" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("EvsCompareMode", values));
  return type_id;
}

typedef struct
{
  EvsWorkbench    *self;      /* strong */
  EvsPipeline     *pipeline;  /* a copy, the worker's own */
  EvsIndex        *index;
  char            *path;
  guint            width;
  guint            height;
  EvsRenderParams  params;
  guint64          serial;
  GBytes          *counts;
  guint            counts_width;
  guint            counts_height;
  gint64           counts_duration;
} RenderData;

static void
render_data_free (gpointer data)
{
  RenderData *rd = data;

  g_clear_object (&rd->self);
  g_clear_object (&rd->pipeline);
  g_clear_pointer (&rd->index, evs_index_unref);
  g_clear_pointer (&rd->counts, g_bytes_unref);
  g_free (rd->path);
  g_free (rd);
}

static void
set_busy (EvsWorkbench *self,
          gboolean      busy)
{
  busy = !!busy;
  if (self->running == busy)
    return;
  self->running = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderData *rd = task_data;
  EvsWorkbench *self = rd->self;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  EvsPreview *preview;

  g_mutex_lock (&self->reader_lock);
  if (self->reader != NULL && g_strcmp0 (self->reader_path, rd->path) == 0)
    reader = g_steal_pointer (&self->reader);
  g_mutex_unlock (&self->reader_lock);

  if (reader == NULL)
    {
      reader = evs_reader_open (rd->path, &error);
      if (reader == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  if (rd->index != NULL && evs_reader_get_index (reader) != rd->index)
    evs_reader_set_index (reader, rd->index);
  /* Whole-recording counts, as an export's first pass learns them */
  if (rd->counts != NULL && evs_pipeline_needs_first_pass (rd->pipeline))
    evs_pipeline_learn_counts (rd->pipeline, g_bytes_get_data (rd->counts, NULL),
                               rd->counts_width, rd->counts_height, rd->counts_duration);

  preview = evs_preview_render (reader, rd->pipeline, rd->width, rd->height, &rd->params,
                                cancellable, &error);

  g_mutex_lock (&self->reader_lock);
  if (self->reader == NULL)
    {
      self->reader = g_steal_pointer (&reader);
      g_free (self->reader_path);
      self->reader_path = g_strdup (rd->path);
    }
  g_mutex_unlock (&self->reader_lock);

  if (preview == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, preview, (GDestroyNotify) evs_preview_unref);
}

static void
render_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  EvsWorkbench *self = EVS_WORKBENCH (object);
  RenderData *rd = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  EvsPreview *preview;

  preview = g_task_propagate_pointer (G_TASK (result), &error);
  if (rd->serial != self->serial)
    {
      /* Superseded: a newer job is running or queued */
      g_clear_pointer (&preview, evs_preview_unref);
      return;
    }
  set_busy (self, self->debounce_id != 0 || self->idle_id != 0);
  if (preview == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Preview failed: %s", error->message);
      return;
    }

  g_clear_pointer (&self->preview, evs_preview_unref);
  self->preview = preview;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
}

typedef struct
{
  char    *path;
  EvsIndex *index;
  guint    width;
  guint    height;
  gint64   duration;
} CountsData;

static void
counts_data_free (gpointer data)
{
  CountsData *cd = data;

  g_free (cd->path);
  g_clear_pointer (&cd->index, evs_index_unref);
  g_free (cd);
}

/* Worker: one streaming pass over the recording, O(chunk + pixels) */
static void
counts_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CountsData *cd = task_data;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *counts;

  reader = evs_reader_open (cd->path, &error);
  if (reader != NULL)
    counts = evs_pixel_counts_compute (reader, &cd->width, &cd->height, &cd->duration,
                                       cancellable, NULL, NULL, &error);
  if (reader == NULL || counts == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, counts, (GDestroyNotify) g_bytes_unref);
}

static void start_render (EvsWorkbench *self);

static void
counts_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  EvsWorkbench *self = EVS_WORKBENCH (object);
  CountsData *cd = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GBytes *counts;

  counts = g_task_propagate_pointer (G_TASK (result), &error);
  g_clear_object (&self->counts_cancellable);
  if (counts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot count the events per pixel: %s", error->message);
      return;
    }
  g_clear_pointer (&self->counts, g_bytes_unref);
  self->counts = counts;
  self->counts_width = cd->width;
  self->counts_height = cd->height;
  self->counts_duration = cd->duration;
  g_free (self->counts_path);
  self->counts_path = g_strdup (cd->path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_COUNTS]);
  start_render (self);
}

/**
 * evs_workbench_ensure_counts:
 *
 * Starts counting the events of each pixel over the whole recording in a
 * worker, unless done or under way; #EvsWorkbench:has-counts turns %TRUE
 * when they are ready.
 */
void
evs_workbench_ensure_counts (EvsWorkbench *self)
{
  g_autoptr(GTask) task = NULL;
  EvsLoader *loader;
  CountsData *cd;

  g_return_if_fail (EVS_IS_WORKBENCH (self));

  loader = evs_session_get_loader (self->session);
  if (loader == NULL || !evs_session_get_loaded (self->session) || evs_loader_get_path (loader) == NULL)
    return;
  if (self->counts != NULL && g_strcmp0 (self->counts_path, evs_loader_get_path (loader)) == 0)
    return;
  if (self->counts_cancellable != NULL)
    return;

  cd = g_new0 (CountsData, 1);
  cd->path = g_strdup (evs_loader_get_path (loader));
  cd->width = MAX (evs_loader_get_width (loader), 1);
  cd->height = MAX (evs_loader_get_height (loader), 1);
  self->counts_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->counts_cancellable, counts_done_cb, NULL);
  g_task_set_source_tag (task, evs_workbench_ensure_counts);
  g_task_set_priority (task, G_PRIORITY_LOW);
  g_task_set_task_data (task, cd, counts_data_free);
  g_task_run_in_thread (task, counts_thread);
}

/**
 * evs_workbench_get_counts:
 * @width: (out): the map's width
 * @height: (out): the map's height
 * @duration_us: (out): the recording's duration
 *
 * Returns: (nullable) (transfer none): the events of each pixel over the
 *   whole recording (guint32, row-major), or %NULL until counted
 */
GBytes *
evs_workbench_get_counts (EvsWorkbench *self,
                          guint        *width,
                          guint        *height,
                          gint64       *duration_us)
{
  g_return_val_if_fail (EVS_IS_WORKBENCH (self), NULL);

  *width = self->counts_width;
  *height = self->counts_height;
  *duration_us = self->counts_duration;
  return self->counts;
}

static void
start_render (EvsWorkbench *self)
{
  g_autoptr(GTask) task = NULL;
  EvsLoader *loader = evs_session_get_loader (self->session);
  EvsFrame *frame = evs_session_get_frame (self->session);
  RenderData *rd;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->serial++;

  if (loader == NULL || !evs_session_get_loaded (self->session)
      || evs_pipeline_get_n_filters (self->pipeline) == 0 || evs_loader_get_path (loader) == NULL)
    {
      if (self->preview != NULL)
        {
          g_clear_pointer (&self->preview, evs_preview_unref);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
        }
      set_busy (self, FALSE);
      return;
    }

  rd = g_new0 (RenderData, 1);
  rd->self = g_object_ref (self);
  rd->pipeline = evs_pipeline_copy (self->pipeline);
  rd->path = g_strdup (evs_loader_get_path (loader));
  rd->width = MAX (evs_loader_get_width (loader), 1);
  rd->height = MAX (evs_loader_get_height (loader), 1);
  rd->serial = self->serial;
  if (evs_loader_get_index (loader) != NULL)
    rd->index = evs_index_ref (evs_loader_get_index (loader));
  if (evs_pipeline_needs_first_pass (self->pipeline))
    {
      /* Hot pixels learnt from the whole recording: previewed once counted */
      if (self->counts != NULL && g_strcmp0 (self->counts_path, rd->path) == 0)
        {
          rd->counts = g_bytes_ref (self->counts);
          rd->counts_width = self->counts_width;
          rd->counts_height = self->counts_height;
          rd->counts_duration = self->counts_duration;
        }
      else
        evs_workbench_ensure_counts (self);
    }
  evs_session_get_params (self->session, &rd->params);
  if (rd->params.window_events > 0)
    {
      /* An event-count window: the span the raw frame resolved it to */
      rd->params.window_events = 0;
      if (frame != NULL)
        {
          rd->params.t_end = frame->t_end;
          rd->params.window_us = MAX (frame->t_end - frame->t_start, 1);
        }
    }

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, render_done_cb, NULL);
  g_task_set_source_tag (task, start_render);
  g_task_set_priority (task, G_PRIORITY_LOW);
  g_task_set_task_data (task, rd, render_data_free);
  set_busy (self, TRUE);
  g_task_run_in_thread (task, render_thread);
}

static void
push_snapshot (EvsWorkbench *self)
{
  char *json;

  if (self->restoring)
    return;
  json = evs_pipeline_to_string (self->pipeline, FALSE);
  if (self->undo->len > 0 && g_str_equal (g_ptr_array_index (self->undo, self->undo->len - 1), json))
    {
      g_free (json);
      return;
    }
  g_ptr_array_add (self->undo, json);
  g_ptr_array_set_size (self->redo, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

static gboolean
debounce_cb (gpointer data)
{
  EvsWorkbench *self = data;

  self->debounce_id = 0;
  push_snapshot (self);
  start_render (self);
  return G_SOURCE_REMOVE;
}

static gboolean
idle_cb (gpointer data)
{
  EvsWorkbench *self = data;

  self->idle_id = 0;
  if (self->debounce_id == 0)
    start_render (self);
  return G_SOURCE_REMOVE;
}

static void
items_changed_cb (EvsWorkbench *self)
{
  self->structural = TRUE;
}

static void
pipeline_changed_cb (EvsWorkbench *self)
{
  /* Adding, removing and moving are undo steps of their own; parameter
   * edits within the debounce coalesce into one (a slider drag). */
  if (self->structural)
    {
      self->structural = FALSE;
      g_clear_handle_id (&self->debounce_id, g_source_remove);
      push_snapshot (self);
    }

  /* Latest change wins: restart the debounce */
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (EVS_WORKBENCH_DEBOUNCE_MS, debounce_cb, self);
  set_busy (self, TRUE);
}

static void
frame_changed_cb (EvsWorkbench *self)
{
  if (evs_pipeline_get_n_filters (self->pipeline) == 0 && self->preview == NULL)
    return;
  if (self->idle_id == 0)
    self->idle_id = g_idle_add_full (G_PRIORITY_LOW, idle_cb, self, NULL);
  set_busy (self, TRUE);
}

static void
evs_workbench_dispose (GObject *object)
{
  EvsWorkbench *self = EVS_WORKBENCH (object);

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->pipeline != NULL)
    g_signal_handlers_disconnect_by_data (self->pipeline, self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->session);
  g_clear_pointer (&self->preview, evs_preview_unref);
  g_clear_object (&self->reader);
  if (self->counts_cancellable != NULL)
    g_cancellable_cancel (self->counts_cancellable);
  g_clear_object (&self->counts_cancellable);
  g_clear_pointer (&self->counts, g_bytes_unref);

  G_OBJECT_CLASS (evs_workbench_parent_class)->dispose (object);
}

static void
evs_workbench_finalize (GObject *object)
{
  EvsWorkbench *self = EVS_WORKBENCH (object);

  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_free (self->reader_path);
  g_free (self->counts_path);
  g_mutex_clear (&self->reader_lock);

  G_OBJECT_CLASS (evs_workbench_parent_class)->finalize (object);
}

static void
evs_workbench_constructed (GObject *object)
{
  EvsWorkbench *self = EVS_WORKBENCH (object);

  G_OBJECT_CLASS (evs_workbench_parent_class)->constructed (object);

  g_assert (self->session != NULL);
  self->pipeline = g_object_ref (evs_session_get_pipeline (self->session));
  g_signal_connect_swapped (self->pipeline, "items-changed", G_CALLBACK (items_changed_cb), self);
  g_signal_connect_swapped (self->pipeline, "changed", G_CALLBACK (pipeline_changed_cb), self);
  g_signal_connect_swapped (self->session, "notify::frame", G_CALLBACK (frame_changed_cb), self);
  g_signal_connect_swapped (self->session, "notify::loaded", G_CALLBACK (frame_changed_cb), self);
  push_snapshot (self);
}

static void
evs_workbench_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EvsWorkbench *self = EVS_WORKBENCH (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_PIPELINE:
      g_value_set_object (value, self->pipeline);
      break;
    case PROP_PREVIEW:
      g_value_set_boxed (value, self->preview);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_COMPARE_MODE:
      g_value_set_enum (value, self->compare_mode);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, evs_workbench_get_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, evs_workbench_get_can_redo (self));
      break;
    case PROP_HAS_COUNTS:
      g_value_set_boolean (value, self->counts != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_workbench_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EvsWorkbench *self = EVS_WORKBENCH (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_COMPARE_MODE:
      evs_workbench_set_compare_mode (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_workbench_class_init (EvsWorkbenchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->constructed = evs_workbench_constructed;
  object_class->dispose = evs_workbench_dispose;
  object_class->finalize = evs_workbench_finalize;
  object_class->get_property = evs_workbench_get_property;
  object_class->set_property = evs_workbench_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, EVS_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PIPELINE] = g_param_spec_object ("pipeline", NULL, NULL, EVS_TYPE_PIPELINE, ro);
  properties[PROP_PREVIEW] = g_param_spec_boxed ("preview", NULL, NULL, EVS_TYPE_PREVIEW, ro);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_COMPARE_MODE] =
    g_param_spec_enum ("compare-mode", NULL, NULL, EVS_TYPE_COMPARE_MODE, EVS_COMPARE_RAW,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] = g_param_spec_boolean ("can-undo", NULL, NULL, FALSE, ro);
  properties[PROP_CAN_REDO] = g_param_spec_boolean ("can-redo", NULL, NULL, FALSE, ro);
  properties[PROP_HAS_COUNTS] = g_param_spec_boolean ("has-counts", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_workbench_init (EvsWorkbench *self)
{
  g_mutex_init (&self->reader_lock);
  self->undo = g_ptr_array_new_with_free_func (g_free);
  self->redo = g_ptr_array_new_with_free_func (g_free);
}

EvsWorkbench *
evs_workbench_new (EvsSession *session)
{
  g_return_val_if_fail (EVS_IS_SESSION (session), NULL);
  return g_object_new (EVS_TYPE_WORKBENCH, "session", session, NULL);
}

EvsSession *
evs_workbench_get_session (EvsWorkbench *self)
{
  g_return_val_if_fail (EVS_IS_WORKBENCH (self), NULL);
  return self->session;
}

EvsPipeline *
evs_workbench_get_pipeline (EvsWorkbench *self)
{
  g_return_val_if_fail (EVS_IS_WORKBENCH (self), NULL);
  return self->pipeline;
}

/**
 * evs_workbench_get_preview:
 *
 * Returns: (nullable) (transfer none): the latest preview of the current
 *   window through the pipeline; %NULL with an empty pipeline
 */
EvsPreview *
evs_workbench_get_preview (EvsWorkbench *self)
{
  g_return_val_if_fail (EVS_IS_WORKBENCH (self), NULL);
  return self->preview;
}

/**
 * evs_workbench_get_busy:
 *
 * Returns: %TRUE while a preview is queued or rendering
 */
gboolean
evs_workbench_get_busy (EvsWorkbench *self)
{
  g_return_val_if_fail (EVS_IS_WORKBENCH (self), FALSE);
  return self->running;
}

EvsCompareMode
evs_workbench_get_compare_mode (EvsWorkbench *self)
{
  g_return_val_if_fail (EVS_IS_WORKBENCH (self), EVS_COMPARE_RAW);
  return self->compare_mode;
}

void
evs_workbench_set_compare_mode (EvsWorkbench   *self,
                                EvsCompareMode  mode)
{
  g_return_if_fail (EVS_IS_WORKBENCH (self));
  g_return_if_fail (mode <= EVS_COMPARE_REMOVED);

  if (mode == self->compare_mode)
    return;
  self->compare_mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARE_MODE]);
}

/**
 * evs_workbench_add_filter:
 * @type_name: a filter type of ARCHITECTURE.md ("stcf", "roi", …)
 *
 * Appends a filter with its default parameters; an ROI filter goes first,
 * so that its stage counts are the raw events in the ROI.
 *
 * Returns: (transfer none) (nullable): the new filter
 */
EvsFilter *
evs_workbench_add_filter (EvsWorkbench  *self,
                          const char    *type_name,
                          GError       **error)
{
  g_autoptr(EvsFilter) filter = NULL;
  gboolean ok;

  g_return_val_if_fail (EVS_IS_WORKBENCH (self), NULL);

  filter = evs_filter_new_for_type_name (type_name, error);
  if (filter == NULL)
    return NULL;
  if (EVS_IS_ROI_FILTER (filter))
    ok = evs_pipeline_insert (self->pipeline, 0, filter);
  else
    ok = evs_pipeline_append (self->pipeline, filter);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "The pipeline holds at most %u filters",
                   EVS_PIPELINE_MAX_FILTERS);
      return NULL;
    }
  return filter;
}

gboolean
evs_workbench_get_can_undo (EvsWorkbench *self)
{
  g_return_val_if_fail (EVS_IS_WORKBENCH (self), FALSE);
  return self->undo->len > 1;
}

gboolean
evs_workbench_get_can_redo (EvsWorkbench *self)
{
  g_return_val_if_fail (EVS_IS_WORKBENCH (self), FALSE);
  return self->redo->len > 0;
}

/* Rebuilds the pipeline in place from JSON. */
static void
restore (EvsWorkbench *self,
         const char   *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) copy = evs_pipeline_new_from_string (json, NULL, &error);

  if (copy == NULL)
    {
      g_critical ("Cannot restore a pipeline snapshot: %s", error->message);
      return;
    }

  self->restoring = TRUE;
  while (evs_pipeline_get_n_filters (self->pipeline) > 0)
    evs_pipeline_remove (self->pipeline, evs_pipeline_get_n_filters (self->pipeline) - 1);
  for (guint i = 0; i < evs_pipeline_get_n_filters (copy); i++)
    evs_pipeline_append (self->pipeline, evs_pipeline_get_filter (copy, i));
  self->restoring = FALSE;
}

/**
 * evs_workbench_commit:
 *
 * Records the pipeline's state on the undo stack now rather than after the
 * debounce (before an undo, and for tests).
 */
void
evs_workbench_commit (EvsWorkbench *self)
{
  g_return_if_fail (EVS_IS_WORKBENCH (self));

  if (self->debounce_id == 0)
    return;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  push_snapshot (self);
  start_render (self);
}

void
evs_workbench_undo (EvsWorkbench *self)
{
  g_return_if_fail (EVS_IS_WORKBENCH (self));

  evs_workbench_commit (self);
  if (self->undo->len < 2)
    return;
  g_ptr_array_add (self->redo, g_ptr_array_steal_index (self->undo, self->undo->len - 1));
  restore (self, g_ptr_array_index (self->undo, self->undo->len - 1));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

void
evs_workbench_redo (EvsWorkbench *self)
{
  char *json;

  g_return_if_fail (EVS_IS_WORKBENCH (self));

  evs_workbench_commit (self);
  if (self->redo->len == 0)
    return;
  json = g_ptr_array_steal_index (self->redo, self->redo->len - 1);
  g_ptr_array_add (self->undo, json);
  restore (self, json);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

/**
 * evs_workbench_load_preset:
 *
 * Replaces the pipeline by the one in @path (the JSON of ARCHITECTURE.md,
 * what `evscope-cli export --pipeline` takes); an undoable edit.
 */
gboolean
evs_workbench_load_preset (EvsWorkbench  *self,
                           const char    *path,
                           GError       **error)
{
  g_autoptr(EvsPipeline) loaded = NULL;
  g_autofree char *json = NULL;

  g_return_val_if_fail (EVS_IS_WORKBENCH (self), FALSE);

  loaded = evs_pipeline_new_from_file (path, error);
  if (loaded == NULL)
    return FALSE;
  evs_workbench_commit (self);
  json = evs_pipeline_to_string (loaded, FALSE);
  restore (self, json);
  return TRUE;
}

gboolean
evs_workbench_save_preset (EvsWorkbench  *self,
                           const char    *path,
                           GError       **error)
{
  g_return_val_if_fail (EVS_IS_WORKBENCH (self), FALSE);
  return evs_pipeline_save_to_file (self->pipeline, path, error);
}

/**
 * evs_workbench_find_roi:
 * @position: (out) (optional): where it is
 *
 * Returns: (transfer none) (nullable): the pipeline's first ROI filter
 */
EvsRoiFilter *
evs_workbench_find_roi (EvsWorkbench *self,
                        guint        *position)
{
  g_return_val_if_fail (EVS_IS_WORKBENCH (self), NULL);

  for (guint i = 0; i < evs_pipeline_get_n_filters (self->pipeline); i++)
    {
      EvsFilter *filter = evs_pipeline_get_filter (self->pipeline, i);

      if (EVS_IS_ROI_FILTER (filter))
        {
          if (position != NULL)
            *position = i;
          return EVS_ROI_FILTER (filter);
        }
    }
  return NULL;
}

/**
 * evs_workbench_ensure_roi:
 *
 * Returns: (transfer none): the pipeline's ROI filter, added first when
 *   there is none
 */
EvsRoiFilter *
evs_workbench_ensure_roi (EvsWorkbench *self)
{
  EvsRoiFilter *roi;

  g_return_val_if_fail (EVS_IS_WORKBENCH (self), NULL);

  roi = evs_workbench_find_roi (self, NULL);
  if (roi == NULL)
    roi = EVS_ROI_FILTER (evs_workbench_add_filter (self, "roi", NULL));
  return roi;
}

/**
 * evs_workbench_set_rois:
 * @rects: (array length=n_rects): rectangles in sensor coordinates
 *   (inclusive bounds)
 *
 * Sets the ROI filter's rectangles (one change, one preview).
 */
void
evs_workbench_set_rois (EvsWorkbench     *self,
                        const EvsRoiRect *rects,
                        guint             n_rects)
{
  GVariantBuilder builder;
  EvsRoiFilter *roi;

  g_return_if_fail (EVS_IS_WORKBENCH (self));
  g_return_if_fail (rects != NULL || n_rects == 0);

  roi = evs_workbench_ensure_roi (self);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(qqqq)"));
  for (guint i = 0; i < n_rects; i++)
    g_variant_builder_add (&builder, "(qqqq)", rects[i].x_min, rects[i].x_max, rects[i].y_min,
                           rects[i].y_max);
  g_object_set (roi, "rects", g_variant_builder_end (&builder), NULL);
}
