/* evs-pipeline-panel.c
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

#define G_LOG_DOMAIN "evs-pipeline-panel"

#include "config.h"

#include "evs-pipeline-panel.h"

#include "evs-filters.h"
#include "evs-resources.h"

#include <glib/gi18n.h>
#include <math.h>

/* EvsPipelinePanel edits the session's pipeline: a GtkListBox bound to the
 * pipeline (a GListModel of EvsFilter), one AdwExpanderRow per filter
 * whose parameter rows are built from the filter's properties and bound to
 * them (spin buttons with units; time windows also get a log-scale
 * slider; switches; combo rows for enums).  Each row's subtitle shows the
 * events its stage removed in the current window and their share; the
 * ROI row also shows the ROI's event count and ON/OFF rates.
 *
 * The pipeline.* actions (add-filter::TYPE, remove, move-up, move-down,
 * undo, redo, clear, load-preset, save-preset) are the API; buttons only
 * activate them. */

struct _EvsPipelinePanel
{
  AdwBin        parent_instance;

  EvsWorkbench *workbench;
  GBinding     *compare_binding;

  GtkListBox   *list;
  GtkLabel     *summary_label;
  AdwComboRow  *compare_row;
  GtkMenuButton *add_button;
};

enum {
  PROP_0,
  PROP_WORKBENCH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsPipelinePanel, evs_pipeline_panel, ADW_TYPE_BIN)

#define SLIDER_MAX_US 10000000.0 /* the log slider's end; the spin goes further */

static const struct
{
  const char *type_name;
  const char *title;
} filter_titles[] = {
  { "roi", N_("Region of Interest") },
  { "time", N_("Time Range") },
  { "polarity", N_("Polarity") },
  { "hot_pixels", N_("Hot Pixels") },
  { "refractory", N_("Refractory Period") },
  { "background_activity", N_("Background Activity") },
  { "stcf", N_("STCF") },
  { "activity", N_("Activity") },
  { "duplicates", N_("Duplicates") },
  { "monotonic", N_("Monotonic Time") },
};

static const char *
filter_title (EvsFilter *filter)
{
  const char *type_name = evs_filter_get_type_name (filter);

  for (guint i = 0; i < G_N_ELEMENTS (filter_titles); i++)
    if (g_str_equal (filter_titles[i].type_name, type_name))
      return _(filter_titles[i].title);
  return type_name;
}

/* "window-us" → "Window", "min-neighbors" → "Min neighbors" */
static char *
param_title (const char  *name,
             const char **unit)
{
  GString *s = g_string_new (name);

  *unit = NULL;
  if (g_str_has_suffix (name, "-us"))
    {
      g_string_truncate (s, s->len - 3);
      *unit = "µs";
    }
  else if (g_str_has_suffix (name, "-hz"))
    {
      g_string_truncate (s, s->len - 3);
      *unit = "Hz";
    }
  else if (g_str_has_suffix (name, "-ms"))
    {
      g_string_truncate (s, s->len - 3);
      *unit = "ms";
    }
  else if (g_str_equal (name, "percentile"))
    *unit = "%";
  g_strdelimit (s->str, "-", ' ');
  if (s->len > 0)
    s->str[0] = g_ascii_toupper (s->str[0]);
  return g_string_free (s, FALSE);
}

static gboolean
to_log_cb (GBinding     *binding,
           const GValue *from,
           GValue       *to,
           gpointer      user_data)
{
  g_value_set_double (to, log10 (MAX (g_value_get_uint (from), 1)));
  return TRUE;
}

static gboolean
from_log_cb (GBinding     *binding,
             const GValue *from,
             GValue       *to,
             gpointer      user_data)
{
  double v = pow (10.0, g_value_get_double (from));
  guint rounded;

  /* Two significant digits: a slider is for coarse moves */
  if (v >= 100)
    {
      double mag = pow (10.0, floor (log10 (v)) - 1);
      v = round (v / mag) * mag;
    }
  rounded = (guint) CLAMP (round (v), 1, EVS_FILTER_MAX_WINDOW_US);
  g_value_set_uint (to, rounded);
  return TRUE;
}

static gboolean
enum_to_selected_cb (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  GEnumClass *klass = user_data;
  int value = g_value_get_enum (from);

  for (guint i = 0; i < klass->n_values; i++)
    if (klass->values[i].value == value)
      {
        g_value_set_uint (to, i);
        return TRUE;
      }
  return FALSE;
}

static gboolean
selected_to_enum_cb (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  GEnumClass *klass = user_data;
  guint i = g_value_get_uint (from);

  if (i >= klass->n_values)
    return FALSE;
  g_value_set_enum (to, klass->values[i].value);
  return TRUE;
}

static gboolean
int64_to_double_cb (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  g_value_set_double (to, (double) g_value_get_int64 (from));
  return TRUE;
}

static gboolean
double_to_int64_cb (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  double v = round (g_value_get_double (from));

  /* (double) G_MAXINT64 is 2^63, one past it: saturate rather than overflow */
  if (v >= 9223372036854775807.0)
    g_value_set_int64 (to, G_MAXINT64);
  else if (v <= -9223372036854775808.0)
    g_value_set_int64 (to, G_MININT64);
  else
    g_value_set_int64 (to, (gint64) v);
  return TRUE;
}

static GtkWidget *
make_spin (EvsFilter  *filter,
           GParamSpec *pspec)
{
  GtkAdjustment *adj;
  GtkWidget *spin;
  double lower, upper, step = 1;
  guint digits = 0;

  if (G_IS_PARAM_SPEC_UINT (pspec))
    {
      lower = G_PARAM_SPEC_UINT (pspec)->minimum;
      upper = G_PARAM_SPEC_UINT (pspec)->maximum;
    }
  else if (G_IS_PARAM_SPEC_INT64 (pspec))
    {
      /* The full range, so that "no bound" (G_MAXINT64) survives the round trip */
      lower = (double) G_PARAM_SPEC_INT64 (pspec)->minimum;
      upper = (double) G_PARAM_SPEC_INT64 (pspec)->maximum;
      step = 1000;
    }
  else
    {
      lower = G_PARAM_SPEC_DOUBLE (pspec)->minimum;
      upper = G_PARAM_SPEC_DOUBLE (pspec)->maximum;
      step = 0.1;
      digits = 2;
    }

  adj = gtk_adjustment_new (lower, lower, upper, step, step * 10, 0);
  spin = gtk_spin_button_new (adj, 1, digits);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 8);
  if (G_IS_PARAM_SPEC_INT64 (pspec))
    g_object_bind_property_full (filter, pspec->name, adj, "value",
                                 G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                 int64_to_double_cb, double_to_int64_cb, NULL, NULL);
  else
    g_object_bind_property (filter, pspec->name, adj, "value",
                            G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  return spin;
}

static GtkWidget *
make_param_row (EvsFilter  *filter,
                GParamSpec *pspec)
{
  g_autofree char *title = NULL;
  const char *unit = NULL;
  GtkWidget *row;

  title = param_title (pspec->name, &unit);

  if (G_IS_PARAM_SPEC_ENUM (pspec))
    {
      GEnumClass *klass = g_type_class_ref (pspec->value_type);
      g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

      for (guint i = 0; i < klass->n_values; i++)
        gtk_string_list_append (model, klass->values[i].value_nick);
      row = adw_combo_row_new ();
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
      g_object_bind_property_full (filter, pspec->name, row, "selected",
                                   G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                   enum_to_selected_cb, selected_to_enum_cb,
                                   klass, (GDestroyNotify) g_type_class_unref);
    }
  else if (G_IS_PARAM_SPEC_BOOLEAN (pspec))
    {
      GtkWidget *sw = gtk_switch_new ();

      row = adw_action_row_new ();
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
      g_object_bind_property (filter, pspec->name, sw, "active",
                              G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
    }
  else if (G_IS_PARAM_SPEC_STRING (pspec))
    {
      row = adw_entry_row_new ();
      g_object_bind_property (filter, pspec->name, row, "text",
                              G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
    }
  else if (G_IS_PARAM_SPEC_UINT (pspec) || G_IS_PARAM_SPEC_INT64 (pspec)
           || G_IS_PARAM_SPEC_DOUBLE (pspec))
    {
      GtkWidget *spin = make_spin (filter, pspec);

      row = adw_action_row_new ();
      if (G_IS_PARAM_SPEC_UINT (pspec) && g_strcmp0 (unit, "µs") == 0)
        {
          /* A time window: a log-scale slider for the decades, the spin for the value */
          GtkWidget *scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0,
                                                       log10 (SLIDER_MAX_US), 0.01);

          gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
          gtk_widget_set_size_request (scale, 110, -1);
          gtk_widget_set_valign (scale, GTK_ALIGN_CENTER);
          gtk_widget_set_tooltip_text (scale, _("Logarithmic scale, 1 µs to 10 s"));
          g_object_bind_property_full (filter, pspec->name,
                                       gtk_range_get_adjustment (GTK_RANGE (scale)), "value",
                                       G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                       to_log_cb, from_log_cb, NULL, NULL);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), scale);
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
      if (unit != NULL)
        {
          GtkWidget *label = gtk_label_new (unit);

          gtk_widget_add_css_class (label, "dim-label");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
        }
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
    }
  else
    return NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (row, pspec->name);
  return row;
}

static void
row_button_clicked_cb (GtkButton        *button,
                       EvsPipelinePanel *self)
{
  EvsFilter *filter = g_object_get_data (G_OBJECT (button), "evs-filter");
  const char *action = g_object_get_data (G_OBJECT (button), "evs-action");
  EvsPipeline *pipeline;

  if (self->workbench == NULL)
    return;
  pipeline = evs_workbench_get_pipeline (self->workbench);
  for (guint i = 0; i < evs_pipeline_get_n_filters (pipeline); i++)
    if (evs_pipeline_get_filter (pipeline, i) == filter)
      {
        gtk_widget_activate_action (GTK_WIDGET (self), action, "u", i);
        return;
      }
}

static GtkWidget *
make_row_button (EvsPipelinePanel *self,
                 EvsFilter        *filter,
                 const char       *icon,
                 const char       *action,
                 const char       *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  g_object_set_data (G_OBJECT (button), "evs-filter", filter);
  g_object_set_data (G_OBJECT (button), "evs-action", (gpointer) action);
  g_signal_connect_object (button, "clicked", G_CALLBACK (row_button_clicked_cb), self, 0);
  return button;
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  EvsPipelinePanel *self = user_data;
  EvsFilter *filter = item;
  g_autofree GParamSpec **pspecs = NULL;
  GtkWidget *row, *sw;
  guint n_pspecs;

  row = adw_expander_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), filter_title (filter));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), " ");

  sw = gtk_switch_new ();
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (sw, _("Enable this filter"));
  g_object_bind_property (filter, "enabled", sw, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), sw);

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (filter), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      GtkWidget *param_row;

      if (g_str_equal (pspecs[i]->name, "enabled") || !(pspecs[i]->flags & G_PARAM_WRITABLE))
        continue;
      param_row = make_param_row (filter, pspecs[i]);
      if (param_row != NULL)
        adw_expander_row_add_row (ADW_EXPANDER_ROW (row), param_row);
    }

  if (EVS_IS_ROI_FILTER (filter))
    {
      GtkWidget *hint = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (hint),
                                     _("Drag on the filtered view to draw a rectangle; drag "
                                       "inside one to move it, its corner to resize it; Delete "
                                       "removes the selected one"));
      gtk_widget_add_css_class (hint, "dim-label");
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), hint);
    }

  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
    GtkWidget *actions = adw_action_row_new ();

    gtk_widget_set_halign (box, GTK_ALIGN_END);
    gtk_box_append (GTK_BOX (box), make_row_button (self, filter, "go-up-symbolic",
                                                    "pipeline.move-up", _("Move Up")));
    gtk_box_append (GTK_BOX (box), make_row_button (self, filter, "go-down-symbolic",
                                                    "pipeline.move-down", _("Move Down")));
    gtk_box_append (GTK_BOX (box), make_row_button (self, filter, "user-trash-symbolic",
                                                    "pipeline.remove", _("Remove")));
    adw_action_row_add_suffix (ADW_ACTION_ROW (actions), box);
    adw_expander_row_add_row (ADW_EXPANDER_ROW (row), actions);
  }

  return row;
}

static char *
format_count (guint64 n)
{
  if (n >= 10000000)
    return g_strdup_printf ("%.1f M", n / 1e6);
  if (n >= 10000)
    return g_strdup_printf ("%.1f k", n / 1e3);
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

static void
update_stats (EvsPipelinePanel *self)
{
  EvsPreview *preview = self->workbench ? evs_workbench_get_preview (self->workbench) : NULL;
  EvsPipeline *pipeline;
  guint n;

  if (self->workbench == NULL)
    return;
  pipeline = evs_workbench_get_pipeline (self->workbench);
  n = evs_pipeline_get_n_filters (pipeline);

  if (preview == NULL || n == 0)
    gtk_label_set_text (self->summary_label,
                        n == 0 ? _("Add filters with +; the view previews the current window "
                                   "through them.") : _("Previewing…"));
  else
    {
      g_autofree char *in = format_count (preview->n_in);
      g_autofree char *kept = format_count (preview->n_kept);
      g_autofree char *text =
        g_strdup_printf (_("Window: %s events, %s kept (%.1f %%); warm-up %.1f ms"), in, kept,
                         preview->n_in ? 100.0 * preview->n_kept / preview->n_in : 100.0,
                         preview->warmup_us / 1000.0);

      gtk_label_set_text (self->summary_label, text);
    }

  for (guint i = 0; i < n; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, i);
      EvsFilter *filter = evs_pipeline_get_filter (pipeline, i);
      g_autofree char *subtitle = NULL;

      if (row == NULL || !ADW_IS_EXPANDER_ROW (row))
        continue;
      if (!evs_filter_get_enabled (filter))
        subtitle = g_strdup (_("Disabled"));
      else if (preview == NULL || i >= preview->n_stages)
        subtitle = g_strdup ("…");
      else
        {
          const EvsStageStats *st = &preview->stages[i];
          guint64 removed = st->in - st->out;
          g_autofree char *count = format_count (removed);

          subtitle = g_strdup_printf (_("Removed %s (%.1f %%)"), count,
                                      st->in ? 100.0 * removed / st->in : 0.0);
          if (EVS_IS_ROI_FILTER (filter))
            {
              double seconds = MAX (preview->t_end - preview->t_start, 1) / 1e6;
              g_autofree char *inside = format_count (st->out);
              g_autofree char *roi = NULL;

              g_autofree char *on = format_count ((guint64) (st->out_on / seconds));
              g_autofree char *off = format_count ((guint64) ((st->out - st->out_on) / seconds));

              roi = g_strdup_printf (_("%s\nROI: %s events, ON %s ev/s, OFF %s ev/s"),
                                     subtitle, inside, on, off);
              g_free (subtitle);
              subtitle = g_steal_pointer (&roi);
            }
        }
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
    }
}

static void
update_actions (EvsPipelinePanel *self)
{
  gboolean has = self->workbench != NULL;
  guint n = has ? evs_pipeline_get_n_filters (evs_workbench_get_pipeline (self->workbench)) : 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.add-filter", has);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.remove", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.move-up", n > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.move-down", n > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.clear", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.undo",
                                 has && evs_workbench_get_can_undo (self->workbench));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.redo",
                                 has && evs_workbench_get_can_redo (self->workbench));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.load-preset", has);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.save-preset", has);
}

static void
pipeline_changed_cb (EvsPipelinePanel *self)
{
  update_actions (self);
  update_stats (self);
}

static void
add_filter_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EvsPipelinePanel *self = EVS_PIPELINE_PANEL (widget);
  g_autoptr(GError) error = NULL;
  EvsPipeline *pipeline;
  GtkListBoxRow *row;
  guint position = 0;
  EvsFilter *filter;

  filter = evs_workbench_add_filter (self->workbench, g_variant_get_string (param, NULL), &error);
  if (filter == NULL)
    {
      g_warning ("Cannot add a filter: %s", error->message);
      return;
    }
  /* Show what the pipeline does as soon as it does something */
  if (evs_workbench_get_compare_mode (self->workbench) == EVS_COMPARE_RAW)
    evs_workbench_set_compare_mode (self->workbench, EVS_COMPARE_FILTERED);
  pipeline = evs_workbench_get_pipeline (self->workbench);
  for (guint i = 0; i < evs_pipeline_get_n_filters (pipeline); i++)
    if (evs_pipeline_get_filter (pipeline, i) == filter)
      position = i;
  row = gtk_list_box_get_row_at_index (self->list, position);
  if (row != NULL && ADW_IS_EXPANDER_ROW (row))
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
}

static void
position_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  EvsPipelinePanel *self = EVS_PIPELINE_PANEL (widget);
  EvsPipeline *pipeline = evs_workbench_get_pipeline (self->workbench);
  guint n = evs_pipeline_get_n_filters (pipeline);
  guint position = g_variant_get_uint32 (param);

  if (position >= n)
    return;
  if (g_str_equal (action_name, "pipeline.remove"))
    evs_pipeline_remove (pipeline, position);
  else if (g_str_equal (action_name, "pipeline.move-up") && position > 0)
    evs_pipeline_move (pipeline, position, position - 1);
  else if (g_str_equal (action_name, "pipeline.move-down") && position + 1 < n)
    evs_pipeline_move (pipeline, position, position + 1);
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  EvsPipelinePanel *self = EVS_PIPELINE_PANEL (widget);
  EvsPipeline *pipeline = evs_workbench_get_pipeline (self->workbench);

  while (evs_pipeline_get_n_filters (pipeline) > 0)
    evs_pipeline_remove (pipeline, evs_pipeline_get_n_filters (pipeline) - 1);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  EvsPipelinePanel *self = EVS_PIPELINE_PANEL (widget);

  if (g_str_equal (action_name, "pipeline.undo"))
    evs_workbench_undo (self->workbench);
  else
    evs_workbench_redo (self->workbench);
}

static void
show_error (EvsPipelinePanel *self,
            const char       *heading,
            const GError     *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              heading, error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
preset_response_cb (GtkNativeDialog  *native,
                    int               response,
                    EvsPipelinePanel *self)
{
  gboolean save = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (native)) == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (response == GTK_RESPONSE_ACCEPT && self->workbench != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Not a local file"));
      else if (save)
        evs_workbench_save_preset (self->workbench, path, &error);
      else
        evs_workbench_load_preset (self->workbench, path, &error);
      if (error != NULL)
        show_error (self, save ? _("Cannot Save the Preset") : _("Cannot Load the Preset"), error);
    }
  g_object_unref (native);
}

static void
preset_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  EvsPipelinePanel *self = EVS_PIPELINE_PANEL (widget);
  gboolean save = g_str_equal (action_name, "pipeline.save-preset");
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (save ? _("Save Pipeline Preset") : _("Load Pipeline Preset"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        save ? GTK_FILE_CHOOSER_ACTION_SAVE
                                             : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        save ? _("_Save") : _("_Load"), NULL);
  gtk_file_filter_set_name (filter, _("Pipeline presets (JSON)"));
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  if (save)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), "pipeline.json");
  g_signal_connect (native, "response", G_CALLBACK (preset_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
evs_pipeline_panel_dispose (GObject *object)
{
  EvsPipelinePanel *self = EVS_PIPELINE_PANEL (object);

  evs_pipeline_panel_set_workbench (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), EVS_TYPE_PIPELINE_PANEL);

  G_OBJECT_CLASS (evs_pipeline_panel_parent_class)->dispose (object);
}

static void
evs_pipeline_panel_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EvsPipelinePanel *self = EVS_PIPELINE_PANEL (object);

  switch (prop_id)
    {
    case PROP_WORKBENCH:
      g_value_set_object (value, self->workbench);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_pipeline_panel_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EvsPipelinePanel *self = EVS_PIPELINE_PANEL (object);

  switch (prop_id)
    {
    case PROP_WORKBENCH:
      evs_pipeline_panel_set_workbench (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_pipeline_panel_class_init (EvsPipelinePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = evs_pipeline_panel_dispose;
  object_class->get_property = evs_pipeline_panel_get_property;
  object_class->set_property = evs_pipeline_panel_set_property;

  properties[PROP_WORKBENCH] =
    g_param_spec_object ("workbench", NULL, NULL, EVS_TYPE_WORKBENCH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  (void) evs_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/evs-pipeline-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, EvsPipelinePanel, list);
  gtk_widget_class_bind_template_child (widget_class, EvsPipelinePanel, summary_label);
  gtk_widget_class_bind_template_child (widget_class, EvsPipelinePanel, compare_row);
  gtk_widget_class_bind_template_child (widget_class, EvsPipelinePanel, add_button);

  gtk_widget_class_install_action (widget_class, "pipeline.add-filter", "s", add_filter_action);
  gtk_widget_class_install_action (widget_class, "pipeline.remove", "u", position_action);
  gtk_widget_class_install_action (widget_class, "pipeline.move-up", "u", position_action);
  gtk_widget_class_install_action (widget_class, "pipeline.move-down", "u", position_action);
  gtk_widget_class_install_action (widget_class, "pipeline.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "pipeline.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "pipeline.redo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "pipeline.load-preset", NULL, preset_action);
  gtk_widget_class_install_action (widget_class, "pipeline.save-preset", NULL, preset_action);
}

static void
evs_pipeline_panel_init (EvsPipelinePanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_actions (self);
  update_stats (self);
}

GtkWidget *
evs_pipeline_panel_new (void)
{
  return g_object_new (EVS_TYPE_PIPELINE_PANEL, NULL);
}

EvsWorkbench *
evs_pipeline_panel_get_workbench (EvsPipelinePanel *self)
{
  g_return_val_if_fail (EVS_IS_PIPELINE_PANEL (self), NULL);
  return self->workbench;
}

static gboolean
compare_to_selected_cb (GBinding     *binding,
                        const GValue *from,
                        GValue       *to,
                        gpointer      user_data)
{
  g_value_set_uint (to, g_value_get_enum (from));
  return TRUE;
}

static gboolean
selected_to_compare_cb (GBinding     *binding,
                        const GValue *from,
                        GValue       *to,
                        gpointer      user_data)
{
  guint selected = g_value_get_uint (from);

  if (selected > EVS_COMPARE_REMOVED)
    return FALSE;
  g_value_set_enum (to, selected);
  return TRUE;
}

void
evs_pipeline_panel_set_workbench (EvsPipelinePanel *self,
                                  EvsWorkbench     *workbench)
{
  g_return_if_fail (EVS_IS_PIPELINE_PANEL (self));
  g_return_if_fail (workbench == NULL || EVS_IS_WORKBENCH (workbench));

  if (workbench == self->workbench)
    return;

  if (self->workbench != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->workbench, self);
      g_signal_handlers_disconnect_by_data (evs_workbench_get_pipeline (self->workbench), self);
      g_clear_pointer (&self->compare_binding, g_binding_unbind);
      gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
    }
  g_set_object (&self->workbench, workbench);
  if (workbench != NULL)
    {
      EvsPipeline *pipeline = evs_workbench_get_pipeline (workbench);

      gtk_list_box_bind_model (self->list, G_LIST_MODEL (pipeline), create_row_cb, self, NULL);
      g_signal_connect_object (pipeline, "changed", G_CALLBACK (pipeline_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (workbench, "notify::preview", G_CALLBACK (update_stats), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (workbench, "notify::can-undo", G_CALLBACK (update_actions), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (workbench, "notify::can-redo", G_CALLBACK (update_actions), self,
                               G_CONNECT_SWAPPED);
      self->compare_binding =
        g_object_bind_property_full (workbench, "compare-mode", self->compare_row, "selected",
                                     G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                     compare_to_selected_cb, selected_to_compare_cb, NULL, NULL);
    }
  update_actions (self);
  update_stats (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKBENCH]);
}

GtkListBox *
evs_pipeline_panel_get_list (EvsPipelinePanel *self)
{
  g_return_val_if_fail (EVS_IS_PIPELINE_PANEL (self), NULL);
  return self->list;
}

/**
 * evs_pipeline_panel_get_row_subtitle:
 *
 * Returns: (nullable): the statistics line of the row of the filter at
 *   @position
 */
const char *
evs_pipeline_panel_get_row_subtitle (EvsPipelinePanel *self,
                                     guint             position)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (EVS_IS_PIPELINE_PANEL (self), NULL);

  row = gtk_list_box_get_row_at_index (self->list, position);
  if (row == NULL || !ADW_IS_EXPANDER_ROW (row))
    return NULL;
  return adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row));
}
