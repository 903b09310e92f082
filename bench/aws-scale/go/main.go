// Command terraform-provider-awsscale is the AWS-scale benchmark provider (1 500 generated
// resource types) on HashiCorp's terraform-plugin-framework: the yardstick for cppvider's
// provider of the same spec (bench/aws-scale/README.md). The schemas are in gen_*.go, written
// by bench/aws-scale/generate.py.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

// address is the registry address Terraform knows this provider by.
const address = "example.com/cppvider/awsscale"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run in debug mode and print TF_REATTACH_PROVIDERS")
	flag.Parse()

	err := providerserver.Serve(context.Background(), newProvider, providerserver.ServeOpts{
		Address:         address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
