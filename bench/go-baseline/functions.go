package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
)

// echoFunction is provider::rawtest::echo(value string) string, returning its argument.
type echoFunction struct{}

func newEchoFunction() function.Function { return &echoFunction{} }

func (f *echoFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "echo"
}

func (f *echoFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary:    "Returns its argument.",
		Parameters: []function.Parameter{function.StringParameter{Name: "value"}},
		Return:     function.StringReturn{},
	}
}

func (f *echoFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var value string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &value))
	if resp.Error != nil {
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, value))
}

// boomFunction is provider::rawtest::boom(value string) string, which always fails.
type boomFunction struct{}

func newBoomFunction() function.Function { return &boomFunction{} }

func (f *boomFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "boom"
}

func (f *boomFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary:    "Always returns a function error.",
		Parameters: []function.Parameter{function.StringParameter{Name: "value"}},
		Return:     function.StringReturn{},
	}
}

func (f *boomFunction) Run(_ context.Context, _ function.RunRequest, resp *function.RunResponse) {
	resp.Error = function.NewFuncError("boom: this function always fails")
}
