package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// slowResource is "rawtest_slow": a single computed "id" that every write sets to "x".
type slowResource struct{}

type slowModel struct {
	ID types.String `tfsdk:"id"`
}

var _ resource.Resource = (*slowResource)(nil)

func newSlowResource() resource.Resource { return &slowResource{} }

func (r *slowResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_slow"
}

func (r *slowResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{
		Attributes: map[string]rschema.Attribute{
			"id": rschema.StringAttribute{Computed: true},
		},
	}
}

func (r *slowResource) Create(ctx context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(resp.State.Set(ctx, slowModel{ID: types.StringValue("x")})...)
}

func (r *slowResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// Nothing remote to refresh: the prior state is kept as it is.
}

func (r *slowResource) Update(ctx context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(resp.State.Set(ctx, slowModel{ID: types.StringValue("x")})...)
}

func (r *slowResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	// The framework removes the state after a Delete without diagnostics.
}
