package main

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// itemResource is "bench_item": name (required), description and size (optional), id
// (computed, kept across updates). Nothing remote: the id is "item-" and the 16 hex digits of
// FNV-1a over the name, as in the C++ providers.
type itemResource struct{}

type itemModel struct {
	ID          types.String  `tfsdk:"id"`
	Name        types.String  `tfsdk:"name"`
	Description types.String  `tfsdk:"description"`
	Size        types.Float64 `tfsdk:"size"`
}

var _ resource.Resource = (*itemResource)(nil)

func newItemResource() resource.Resource { return &itemResource{} }

func (r *itemResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_item"
}

func (r *itemResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{
		Attributes: map[string]rschema.Attribute{
			"id": rschema.StringAttribute{
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name":        rschema.StringAttribute{Required: true},
			"description": rschema.StringAttribute{Optional: true},
			"size":        rschema.Float64Attribute{Optional: true},
		},
	}
}

func hashID(name string) string {
	h := fnv.New64a()
	h.Write([]byte(name))
	return fmt.Sprintf("item-%016x", h.Sum64())
}

func (r *itemResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m itemModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.ID = types.StringValue(hashID(m.Name.ValueString()))
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *itemResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	// Nothing remote to refresh: the prior state is kept as it is.
}

func (r *itemResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m itemModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *itemResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	// The framework removes the state after a Delete without diagnostics.
}
