package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// resourceDef is one generated resource type: its name without the provider prefix and the
// generated function that returns its schema.
type resourceDef struct {
	name   string
	schema func() schema.Schema
}

// generatedResource serves any resourceDef with trivial CRUD: the benchmark measures start-up
// and GetProviderSchema, and nothing applies these resources.
type generatedResource struct {
	def *resourceDef
}

var _ resource.Resource = (*generatedResource)(nil)

func (r *generatedResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.def.name
}

func (r *generatedResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.def.schema()
}

func (r *generatedResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw // the plan stands
}

func (r *generatedResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	// The prior state stands.
}

func (r *generatedResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (r *generatedResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	// The framework removes the state after a Delete without diagnostics.
}
