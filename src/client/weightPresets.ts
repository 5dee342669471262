/** One-click sources of real ImageNet weights: torchvision's weights as timm publishes them on the Hugging Face hub. */
export interface WeightsPreset {
  id: string;
  label: string;
  url: string;
}

export const WEIGHTS_PRESETS: readonly WeightsPreset[] = [
  {
    id: 'resnet18-tv',
    label: 'ResNet18 ImageNet (timm/resnet18.tv_in1k)',
    url: 'https://huggingface.co/timm/resnet18.tv_in1k/resolve/main/model.safetensors',
  },
  {
    id: 'resnet34-tv',
    label: 'ResNet34 ImageNet (timm/resnet34.tv_in1k)',
    url: 'https://huggingface.co/timm/resnet34.tv_in1k/resolve/main/model.safetensors',
  },
];
