/* evs-session.c
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

#define G_LOG_DOMAIN "evs-session"

#include "config.h"

#include "evs-session.h"

/* EvsSession is the viewer's model: the open recording (through its
 * EvsLoader), the time cursor and window, the view parameters, playback,
 * and the latest rendered frame.  Views observe it; they own no state.
 *
 * Every change that affects the picture queues one render; the loader
 * keeps only the latest pending request, so a burst of changes (a drag on
 * the timeline, playback) costs one render in flight plus one pending, and
 * the view shows the newest frame that completed: frames are skipped,
 * never queued behind. */

struct _EvsSession
{
  GObject             parent_instance;

  GFile              *file;
  EvsLoader          *loader;
  GCancellable       *load_cancellable;
  GCancellable       *render_cancellable;
  EvsFrame           *frame;
  guint               render_idle_id;

  gboolean            loaded;
  gboolean            indexed;
  gint64              t_first;
  gint64              t_last;
  gint64              time;
  gint64              window_us;
  gboolean            window_by_events;
  guint64             window_events;
  EvsViewMode         view_mode;
  EvsAccumulateStyle  style;
  EvsDecay            decay;
  EvsColormap         colormap;
  double              contrast;
  double              tau_us;
  gboolean            split_polarity;
  gboolean            playing;
  double              speed;
  gint64              loop_start;
  gint64              loop_end;
  double              play_remainder;
  char               *last_error;
  EvsPipeline        *pipeline;
};

enum {
  PROP_0,
  PROP_FILE,
  PROP_LOADER,
  PROP_LOADED,
  PROP_INDEXED,
  PROP_T_FIRST,
  PROP_T_LAST,
  PROP_TIME,
  PROP_WINDOW_US,
  PROP_WINDOW_BY_EVENTS,
  PROP_WINDOW_EVENTS,
  PROP_VIEW_MODE,
  PROP_STYLE,
  PROP_DECAY,
  PROP_COLORMAP,
  PROP_CONTRAST,
  PROP_TAU_US,
  PROP_SPLIT_POLARITY,
  PROP_PLAYING,
  PROP_SPEED,
  PROP_LOOP_START,
  PROP_LOOP_END,
  PROP_FRAME,
  PROP_PIPELINE,
  N_PROPS
};

enum {
  LOAD_FAILED,
  RENDER_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EvsSession, evs_session, G_TYPE_OBJECT)

#define MIN_WINDOW_US 1
#define MAX_WINDOW_US G_GINT64_CONSTANT (1000000000)

static void
render_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EvsSession) self = user_data;
  g_autoptr(GError) error = NULL;
  EvsFrame *frame;

  frame = evs_loader_render_finish (EVS_LOADER (object), result, &error);
  if (frame == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (EVS_LOADER (object) == self->loader && g_strcmp0 (self->last_error, error->message) != 0)
        {
          g_free (self->last_error);
          self->last_error = g_strdup (error->message);
          g_signal_emit (self, signals[RENDER_FAILED], 0, error);
        }
      return;
    }

  /* A result from a recording closed since */
  if (EVS_LOADER (object) != self->loader)
    {
      evs_frame_unref (frame);
      return;
    }

  g_clear_pointer (&self->frame, evs_frame_unref);
  self->frame = frame;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);
}

static gboolean
render_idle_cb (gpointer data)
{
  EvsSession *self = data;
  EvsRenderParams params;

  self->render_idle_id = 0;

  if (self->loader == NULL || !self->loaded)
    return G_SOURCE_REMOVE;

  evs_session_get_params (self, &params);
  evs_loader_render_async (self->loader, &params, self->render_cancellable,
                           render_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
queue_render (EvsSession *self)
{
  if (self->render_idle_id == 0 && self->loaded)
    /* Coalesces the changes of one main-loop iteration; ahead of GTK's
     * redraw (GDK_PRIORITY_REDRAW), which playback keeps busy every frame. */
    self->render_idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, render_idle_cb, self, NULL);
}

static gint64
clamp_time (EvsSession *self,
            gint64      time)
{
  if (!self->loaded)
    return time;
  if (self->indexed)
    time = MIN (time, self->t_last + 1);
  return MAX (time, self->t_first + 1);
}

static void
set_bool (EvsSession *self,
          gboolean   *field,
          gboolean    value,
          guint       prop)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_int64 (EvsSession *self,
           gint64     *field,
           gint64      value,
           guint       prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* Derives the session's state from the loader's, idempotently: the loader
 * may publish the metadata and the index in one go (small or cached
 * files), and the order of its notifications is not guaranteed. */
static void
loader_state_cb (EvsSession *self,
                 GParamSpec *pspec,
                 EvsLoader  *loader)
{
  EvsEventChunk *first;
  EvsIndex *index;

  if (loader != self->loader || evs_loader_get_info (loader) == NULL)
    return;

  g_object_freeze_notify (G_OBJECT (self));

  if (!self->loaded)
    {
      first = evs_loader_get_first_events (loader);
      if (first != NULL && first->n_events > 0)
        {
          set_int64 (self, &self->t_first, first->t[0], PROP_T_FIRST);
          set_int64 (self, &self->t_last, first->t[first->n_events - 1], PROP_T_LAST);
        }
      set_bool (self, &self->loaded, TRUE, PROP_LOADED);
      set_int64 (self, &self->time, clamp_time (self, self->t_first + self->window_us), PROP_TIME);
    }

  index = evs_loader_get_index (loader);
  if (index != NULL && !self->indexed)
    {
      if (evs_index_get_n_events (index) > 0)
        {
          set_int64 (self, &self->t_first, evs_index_get_t_first (index), PROP_T_FIRST);
          set_int64 (self, &self->t_last, evs_index_get_t_last (index), PROP_T_LAST);
        }
      set_bool (self, &self->indexed, TRUE, PROP_INDEXED);
      set_int64 (self, &self->time, clamp_time (self, self->time), PROP_TIME);
    }

  g_object_thaw_notify (G_OBJECT (self));

  /* First frame, or the frame geometry may have grown with the index. */
  queue_render (self);
}

static void close_recording (EvsSession *self);

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(EvsSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (evs_loader_load_finish (EVS_LOADER (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (EVS_LOADER (object) != self->loader)
    return;

  /* Nothing is open any more: the window goes back to its start page
   * with its title, and says what went wrong. */
  {
    g_autoptr(GFile) file = g_object_ref (self->file);

    close_recording (self);
    g_clear_object (&self->file);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
    g_signal_emit (self, signals[LOAD_FAILED], 0, file, error);
  }
}

static void
close_recording (EvsSession *self)
{
  g_clear_handle_id (&self->render_idle_id, g_source_remove);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  if (self->render_cancellable != NULL)
    g_cancellable_cancel (self->render_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->render_cancellable);
  if (self->loader != NULL)
    g_signal_handlers_disconnect_by_data (self->loader, self);
  g_clear_object (&self->loader);
  g_clear_pointer (&self->frame, evs_frame_unref);
  g_clear_pointer (&self->last_error, g_free);
}

/**
 * evs_session_open:
 *
 * Closes the current recording (cancelling its load and renders) and starts
 * loading @file.  "loaded" turns TRUE when the metadata and the first
 * frame's events are in; "indexed" when the whole file is indexed;
 * "load-failed" is emitted on error.
 */
void
evs_session_open (EvsSession *self,
                  GFile      *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (EVS_IS_SESSION (self));
  g_return_if_fail (G_IS_FILE (file));

  close_recording (self);

  g_object_freeze_notify (G_OBJECT (self));
  g_set_object (&self->file, file);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
  set_bool (self, &self->loaded, FALSE, PROP_LOADED);
  set_bool (self, &self->indexed, FALSE, PROP_INDEXED);
  set_bool (self, &self->playing, FALSE, PROP_PLAYING);
  set_int64 (self, &self->t_first, 0, PROP_T_FIRST);
  set_int64 (self, &self->t_last, 0, PROP_T_LAST);
  set_int64 (self, &self->loop_start, 0, PROP_LOOP_START);
  set_int64 (self, &self->loop_end, 0, PROP_LOOP_END);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);

  self->loader = evs_loader_new ();
  self->load_cancellable = g_cancellable_new ();
  self->render_cancellable = g_cancellable_new ();
  g_signal_connect_object (self->loader, "notify::info", G_CALLBACK (loader_state_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->loader, "notify::index", G_CALLBACK (loader_state_cb), self,
                           G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADER]);
  g_object_thaw_notify (G_OBJECT (self));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *uri = g_file_get_uri (file);

      error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "“%s” is not a local file", uri);
      g_signal_emit (self, signals[LOAD_FAILED], 0, file, error);
      return;
    }

  evs_loader_load_async (self->loader, path, self->load_cancellable, load_cb, g_object_ref (self));
}

static void
evs_session_dispose (GObject *object)
{
  EvsSession *self = (EvsSession *) object;

  close_recording (self);
  g_clear_object (&self->file);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (evs_session_parent_class)->dispose (object);
}

static void
evs_session_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EvsSession *self = EVS_SESSION (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_LOADER:
      g_value_set_object (value, self->loader);
      break;
    case PROP_PIPELINE:
      g_value_set_object (value, self->pipeline);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_INDEXED:
      g_value_set_boolean (value, self->indexed);
      break;
    case PROP_T_FIRST:
      g_value_set_int64 (value, self->t_first);
      break;
    case PROP_T_LAST:
      g_value_set_int64 (value, self->t_last);
      break;
    case PROP_TIME:
      g_value_set_int64 (value, self->time);
      break;
    case PROP_WINDOW_US:
      g_value_set_int64 (value, self->window_us);
      break;
    case PROP_WINDOW_BY_EVENTS:
      g_value_set_boolean (value, self->window_by_events);
      break;
    case PROP_WINDOW_EVENTS:
      g_value_set_uint64 (value, self->window_events);
      break;
    case PROP_VIEW_MODE:
      g_value_set_enum (value, self->view_mode);
      break;
    case PROP_STYLE:
      g_value_set_enum (value, self->style);
      break;
    case PROP_DECAY:
      g_value_set_enum (value, self->decay);
      break;
    case PROP_COLORMAP:
      g_value_set_enum (value, self->colormap);
      break;
    case PROP_CONTRAST:
      g_value_set_double (value, self->contrast);
      break;
    case PROP_TAU_US:
      g_value_set_double (value, self->tau_us);
      break;
    case PROP_SPLIT_POLARITY:
      g_value_set_boolean (value, self->split_polarity);
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case PROP_LOOP_START:
      g_value_set_int64 (value, self->loop_start);
      break;
    case PROP_LOOP_END:
      g_value_set_int64 (value, self->loop_end);
      break;
    case PROP_FRAME:
      g_value_set_boxed (value, self->frame);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_session_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EvsSession *self = EVS_SESSION (object);

  switch (prop_id)
    {
    case PROP_TIME:
      evs_session_set_time (self, g_value_get_int64 (value));
      break;
    case PROP_WINDOW_US:
      evs_session_set_window_us (self, g_value_get_int64 (value));
      break;
    case PROP_WINDOW_BY_EVENTS:
      evs_session_set_window_by_events (self, g_value_get_boolean (value));
      break;
    case PROP_WINDOW_EVENTS:
      evs_session_set_window_events (self, g_value_get_uint64 (value));
      break;
    case PROP_VIEW_MODE:
      evs_session_set_view_mode (self, g_value_get_enum (value));
      break;
    case PROP_STYLE:
      evs_session_set_style (self, g_value_get_enum (value));
      break;
    case PROP_DECAY:
      evs_session_set_decay (self, g_value_get_enum (value));
      break;
    case PROP_COLORMAP:
      evs_session_set_colormap (self, g_value_get_enum (value));
      break;
    case PROP_CONTRAST:
      evs_session_set_contrast (self, g_value_get_double (value));
      break;
    case PROP_TAU_US:
      evs_session_set_tau_us (self, g_value_get_double (value));
      break;
    case PROP_SPLIT_POLARITY:
      evs_session_set_split_polarity (self, g_value_get_boolean (value));
      break;
    case PROP_PLAYING:
      evs_session_set_playing (self, g_value_get_boolean (value));
      break;
    case PROP_SPEED:
      evs_session_set_speed (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_session_class_init (EvsSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = evs_session_dispose;
  object_class->get_property = evs_session_get_property;
  object_class->set_property = evs_session_set_property;

  properties[PROP_FILE] = g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE, ro);
  properties[PROP_LOADER] = g_param_spec_object ("loader", NULL, NULL, EVS_TYPE_LOADER, ro);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  properties[PROP_INDEXED] = g_param_spec_boolean ("indexed", NULL, NULL, FALSE, ro);
  properties[PROP_T_FIRST] =
    g_param_spec_int64 ("t-first", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_T_LAST] =
    g_param_spec_int64 ("t-last", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_TIME] =
    g_param_spec_int64 ("time", NULL, NULL, G_MININT64, G_MAXINT64, 0, rw);
  properties[PROP_WINDOW_US] =
    g_param_spec_int64 ("window-us", NULL, NULL, MIN_WINDOW_US, MAX_WINDOW_US, 10000, rw);
  properties[PROP_WINDOW_BY_EVENTS] =
    g_param_spec_boolean ("window-by-events", NULL, NULL, FALSE, rw);
  properties[PROP_WINDOW_EVENTS] =
    g_param_spec_uint64 ("window-events", NULL, NULL, 1, EVS_RENDER_MAX_WINDOW_EVENTS, 100000, rw);
  properties[PROP_VIEW_MODE] =
    g_param_spec_enum ("view-mode", NULL, NULL, EVS_TYPE_VIEW_MODE,
                       EVS_VIEW_MODE_ACCUMULATE, rw);
  properties[PROP_STYLE] =
    g_param_spec_enum ("style", NULL, NULL, EVS_TYPE_ACCUMULATE_STYLE,
                       EVS_ACCUMULATE_STYLE_ON_OFF, rw);
  properties[PROP_DECAY] =
    g_param_spec_enum ("decay", NULL, NULL, EVS_TYPE_DECAY, EVS_DECAY_NONE, rw);
  properties[PROP_COLORMAP] =
    g_param_spec_enum ("colormap", NULL, NULL, EVS_TYPE_COLORMAP, EVS_COLORMAP_VIRIDIS, rw);
  properties[PROP_CONTRAST] =
    g_param_spec_double ("contrast", NULL, NULL, 0.01, 100.0, 1.0, rw);
  properties[PROP_TAU_US] =
    g_param_spec_double ("tau-us", NULL, NULL, 1.0, 1e9, 5000.0, rw);
  properties[PROP_SPLIT_POLARITY] =
    g_param_spec_boolean ("split-polarity", NULL, NULL, FALSE, rw);
  properties[PROP_PLAYING] = g_param_spec_boolean ("playing", NULL, NULL, FALSE, rw);
  properties[PROP_SPEED] = g_param_spec_double ("speed", NULL, NULL, 0.001, 100.0, 1.0, rw);
  properties[PROP_LOOP_START] =
    g_param_spec_int64 ("loop-start", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_LOOP_END] =
    g_param_spec_int64 ("loop-end", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_FRAME] = g_param_spec_boxed ("frame", NULL, NULL, EVS_TYPE_FRAME, ro);
  properties[PROP_PIPELINE] = g_param_spec_object ("pipeline", NULL, NULL, EVS_TYPE_PIPELINE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EvsSession::load-failed:
   * @file: the recording
   * @error: what went wrong, and where
   */
  signals[LOAD_FAILED] =
    g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_ERROR);
  signals[RENDER_FAILED] =
    g_signal_new ("render-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
evs_session_init (EvsSession *self)
{
  self->window_us = 10000;
  self->window_events = 100000;
  self->view_mode = EVS_VIEW_MODE_ACCUMULATE;
  self->style = EVS_ACCUMULATE_STYLE_ON_OFF;
  self->decay = EVS_DECAY_NONE;
  self->colormap = EVS_COLORMAP_VIRIDIS;
  self->contrast = 1.0;
  self->tau_us = 5000.0;
  self->speed = 1.0;
  self->pipeline = evs_pipeline_new ();
}

EvsSession *
evs_session_new (void)
{
  return g_object_new (EVS_TYPE_SESSION, NULL);
}

GFile *
evs_session_get_file (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), NULL);
  return self->file;
}

EvsLoader *
evs_session_get_loader (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), NULL);
  return self->loader;
}

gboolean
evs_session_get_loaded (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), FALSE);
  return self->loaded;
}

gboolean
evs_session_get_indexed (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), FALSE);
  return self->indexed;
}

gint64
evs_session_get_t_first (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 0);
  return self->t_first;
}

gint64
evs_session_get_t_last (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 0);
  return self->t_last;
}

gint64
evs_session_get_time (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 0);
  return self->time;
}

/**
 * evs_session_set_time:
 * @time: the end of the window (exclusive), µs
 *
 * Moves the time cursor, clamped to the recording.
 */
void
evs_session_set_time (EvsSession *self,
                      gint64      time)
{
  g_return_if_fail (EVS_IS_SESSION (self));

  time = clamp_time (self, time);
  if (time == self->time)
    return;

  self->time = time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME]);
  queue_render (self);
}

void
evs_session_step (EvsSession *self,
                  int         n_windows)
{
  g_return_if_fail (EVS_IS_SESSION (self));

  evs_session_set_time (self, self->time + (gint64) n_windows * evs_session_get_window_span (self));
}

/**
 * evs_session_advance:
 * @elapsed_us: wall-clock time since the last call
 *
 * Playback: moves the cursor by @elapsed_us × speed, looping at the end.
 */
void
evs_session_advance (EvsSession *self,
                     gint64      elapsed_us)
{
  double step;
  gint64 whole;

  g_return_if_fail (EVS_IS_SESSION (self));

  if (!self->playing || !self->loaded)
    return;

  step = elapsed_us * self->speed + self->play_remainder;
  whole = (gint64) step;
  self->play_remainder = step - whole;

  if (self->loop_end > self->loop_start)
    {
      /* Loop over the selected range: the window end runs through it. */
      gint64 length = self->loop_end - self->loop_start;

      if (self->time < self->loop_start || self->time > self->loop_end)
        evs_session_set_time (self, self->loop_start);
      else
        evs_session_set_time (self, self->loop_start
                                    + (self->time - self->loop_start + whole) % length);
    }
  else if (self->indexed && self->time + whole > self->t_last + 1)
    evs_session_set_time (self, self->t_first + evs_session_get_window_span (self));
  else
    evs_session_set_time (self, self->time + whole);
}

gint64
evs_session_get_window_us (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 0);
  return self->window_us;
}

void
evs_session_set_window_us (EvsSession *self,
                           gint64      window_us)
{
  g_return_if_fail (EVS_IS_SESSION (self));

  window_us = CLAMP (window_us, MIN_WINDOW_US, MAX_WINDOW_US);
  if (window_us == self->window_us)
    return;

  self->window_us = window_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_US]);
  queue_render (self);
}

/**
 * evs_session_get_window_span:
 *
 * Returns: the window's duration in µs: the time window, or the span of
 *   the last frame's events when the window is an event count
 */
gint64
evs_session_get_window_span (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 1);

  if (self->window_by_events && self->frame != NULL && self->frame->params.window_events > 0)
    return MAX (self->frame->t_end - self->frame->t_start, 1);
  return self->window_us;
}

gboolean
evs_session_get_window_by_events (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), FALSE);
  return self->window_by_events;
}

void
evs_session_set_window_by_events (EvsSession *self,
                                  gboolean    by_events)
{
  g_return_if_fail (EVS_IS_SESSION (self));

  by_events = !!by_events;
  if (by_events == self->window_by_events)
    return;

  self->window_by_events = by_events;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_BY_EVENTS]);
  queue_render (self);
}

guint64
evs_session_get_window_events (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 1);
  return self->window_events;
}

void
evs_session_set_window_events (EvsSession *self,
                               guint64     n_events)
{
  g_return_if_fail (EVS_IS_SESSION (self));

  n_events = CLAMP (n_events, 1, EVS_RENDER_MAX_WINDOW_EVENTS);
  if (n_events == self->window_events)
    return;

  self->window_events = n_events;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_EVENTS]);
  if (self->window_by_events)
    queue_render (self);
}

/**
 * evs_session_set_loop:
 *
 * Selects the range playback loops over (window end times); an empty
 * range (@end ≤ @start) clears it.  Clamped to the recording.
 */
void
evs_session_set_loop (EvsSession *self,
                      gint64      start,
                      gint64      end)
{
  g_return_if_fail (EVS_IS_SESSION (self));

  if (end <= start)
    start = end = 0;
  else
    {
      start = clamp_time (self, start);
      end = clamp_time (self, end);
    }

  g_object_freeze_notify (G_OBJECT (self));
  set_int64 (self, &self->loop_start, start, PROP_LOOP_START);
  set_int64 (self, &self->loop_end, end, PROP_LOOP_END);
  g_object_thaw_notify (G_OBJECT (self));
}

gint64
evs_session_get_loop_start (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 0);
  return self->loop_start;
}

gint64
evs_session_get_loop_end (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 0);
  return self->loop_end;
}

#define DEFINE_ENUM_ACCESSORS(Type, name, field, PROP)                        \
  Type                                                                        \
  evs_session_get_##name (EvsSession *self)                                   \
  {                                                                           \
    g_return_val_if_fail (EVS_IS_SESSION (self), 0);                          \
    return self->field;                                                       \
  }                                                                           \
                                                                              \
  void                                                                        \
  evs_session_set_##name (EvsSession *self,                                   \
                          Type        value)                                  \
  {                                                                           \
    g_return_if_fail (EVS_IS_SESSION (self));                                 \
    if (self->field == value)                                                 \
      return;                                                                 \
    self->field = value;                                                      \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);             \
    queue_render (self);                                                      \
  }

DEFINE_ENUM_ACCESSORS (EvsViewMode, view_mode, view_mode, PROP_VIEW_MODE)
DEFINE_ENUM_ACCESSORS (EvsAccumulateStyle, style, style, PROP_STYLE)
DEFINE_ENUM_ACCESSORS (EvsDecay, decay, decay, PROP_DECAY)
DEFINE_ENUM_ACCESSORS (EvsColormap, colormap, colormap, PROP_COLORMAP)
DEFINE_ENUM_ACCESSORS (gboolean, split_polarity, split_polarity, PROP_SPLIT_POLARITY)

double
evs_session_get_contrast (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 1.0);
  return self->contrast;
}

void
evs_session_set_contrast (EvsSession *self,
                          double      contrast)
{
  g_return_if_fail (EVS_IS_SESSION (self));

  contrast = CLAMP (contrast, 0.01, 100.0);
  if (contrast == self->contrast)
    return;

  self->contrast = contrast;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTRAST]);
  queue_render (self);
}

double
evs_session_get_tau_us (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 1.0);
  return self->tau_us;
}

void
evs_session_set_tau_us (EvsSession *self,
                        double      tau_us)
{
  g_return_if_fail (EVS_IS_SESSION (self));

  tau_us = CLAMP (tau_us, 1.0, 1e9);
  if (tau_us == self->tau_us)
    return;

  self->tau_us = tau_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAU_US]);
  queue_render (self);
}

gboolean
evs_session_get_playing (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), FALSE);
  return self->playing;
}

void
evs_session_set_playing (EvsSession *self,
                         gboolean    playing)
{
  g_return_if_fail (EVS_IS_SESSION (self));

  playing = !!playing && self->loaded;
  if (playing == self->playing)
    return;

  self->playing = playing;
  self->play_remainder = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

double
evs_session_get_speed (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), 1.0);
  return self->speed;
}

void
evs_session_set_speed (EvsSession *self,
                       double      speed)
{
  g_return_if_fail (EVS_IS_SESSION (self));

  speed = CLAMP (speed, 0.001, 100.0);
  if (speed == self->speed)
    return;

  self->speed = speed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
}

/**
 * evs_session_get_frame:
 *
 * Returns: (nullable) (transfer none): the latest rendered frame
 */
EvsFrame *
evs_session_get_frame (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), NULL);
  return self->frame;
}

void
evs_session_get_params (EvsSession      *self,
                        EvsRenderParams *params)
{
  g_return_if_fail (EVS_IS_SESSION (self));
  g_return_if_fail (params != NULL);

  evs_render_params_init (params);
  params->mode = self->view_mode;
  params->t_end = self->time;
  params->window_us = self->window_us;
  params->window_events = self->window_by_events ? self->window_events : 0;
  params->style = self->style;
  params->decay = self->decay;
  params->contrast = self->contrast;
  params->tau_us = self->tau_us;
  params->split_polarity = self->split_polarity;
  params->colormap = self->colormap;
}

/**
 * evs_session_get_pipeline:
 *
 * Returns: (transfer none): the filter pipeline the workbench edits; the
 *   workbench previews and exports through it
 */
EvsPipeline *
evs_session_get_pipeline (EvsSession *self)
{
  g_return_val_if_fail (EVS_IS_SESSION (self), NULL);
  return self->pipeline;
}
